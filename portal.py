"""Service Culture Portal — entry point.

``streamlit run portal.py`` imports this module once to build the server (``app``, with
the sign-in cookie routes, the single sign-on error middleware and ui.startup's lifespan
hook, which seeds the demo before the first visit) and then runs it as the Streamlit script
for every visit: settings, database, the sign-in gate and the navigation by role."""

import streamlit as st

if __name__ == "__main__":
    from models import demo
    from models.access import ROLE_WORDS, PermissionDeniedError
    from models.db import MigrationChangedError, StoreUnavailableError, WriteConflictError, get_database
    from models.i18n import _
    from models.inbox import messages as inbox
    from models.settings import SettingsError, get_settings
    from ui import languages, session, writes
    from ui.registry import pages_for
    from ui.startup import PAGE_ICON
    from ui.text import escape_markdown

    st.set_page_config(page_title="Service Culture Portal", page_icon=PAGE_ICON, layout="wide")

    try:
        settings = get_settings()
    except SettingsError as error:
        st.error(str(error))
        st.stop()
    languages.speak_to(None, settings)  # the browser's language until we know who is here
    try:
        db = get_database(settings.db_path, url=settings.database_url)
    except (MigrationChangedError, StoreUnavailableError) as error:
        st.error(str(error))
        st.stop()

    if settings.demo_mode and not demo.is_seeded(db):  # the server seeds at start; a script run alone seeds here
        bar = st.progress(0.0, text=_("Preparing the demo organisation…"))
        demo.seed(
            db,
            seed=settings.demo_seed,
            scale=settings.demo_scale,
            progress=lambda share, text: bar.progress(min(share, 1.0), text=text),
        )
        bar.empty()

    try:
        user = session.current_user(db, settings)
    except StoreUnavailableError as error:  # the database could not be reached: said plainly, no trace
        st.error(str(error))
        st.stop()
    languages.speak_to(user, settings)
    if user is None:
        from models import auth

        gate = (
            session.render_first_admin
            if (not settings.demo_mode and auth.account_count(db) == 0)
            else session.render_sign_in
        )
        st.navigation(
            [st.Page(lambda: gate(db, settings), title=_("Sign in"), url_path="sign-in")], position="hidden"
        ).run()
        st.stop()

    st.session_state["portal_user"] = user
    st.session_state["portal_settings"] = settings
    session.render_cookie_pixels()
    sections = {
        _(section): [st.Page(spec.path, title=_(spec.title), icon=spec.icon, url_path=spec.url_path) for spec in specs]
        for section, specs in pages_for(user).items()
    }
    page = st.navigation(sections, expanded=True)  # every section stays in view, however many pages
    with st.sidebar:
        st.caption(escape_markdown(settings.organisation_name))
        st.write(f"**{escape_markdown(user.full_name)}**")
        try:
            unread = inbox.unread_count(db, user)
        except StoreUnavailableError:
            unread = 0  # the page below says why, if the database is still out of reach
        inbox_label = _("Inbox ({unread})", unread=unread) if unread else _("Inbox")
        st.page_link("pages/inbox.py", label=inbox_label, icon=":material/inbox:")
        st.caption(", ".join(sorted(_(ROLE_WORDS[role]) for role in user.roles)))
        if st.button(_("Sign out"), icon=":material/logout:", key="sign_out"):
            session.sign_out(db)
            st.rerun()
    writes.show_pending_toast()
    try:
        page.run()
    except (WriteConflictError, PermissionDeniedError) as refusal:
        # the domain refused a write: say so plainly; what was typed stays in the widgets
        st.error(str(refusal))
else:
    from starlette.middleware import Middleware

    from ui import export_routes
    from ui.auth_routes import ProviderErrorMiddleware, routes
    from ui.startup import lifespan

    app = st.App(
        "portal.py",
        routes=[*routes(), *export_routes.routes()],
        middleware=[Middleware(ProviderErrorMiddleware)],
        lifespan=lifespan,
    )
