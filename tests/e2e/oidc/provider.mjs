// A real OpenID Connect provider (the npm package oidc-provider) on 127.0.0.1 for the
// single sign-on tests. Everything it needs comes from the OIDC_TEST_CONFIG environment
// variable (JSON):
//   { "port": 0, "password": "…",
//     "clients": [{ "client_id", "client_secret", "redirect_uris": [], "post_logout_redirect_uris": [] }],
//     "accounts": { "<login>": { "email"?: "…", "email_verified"?: true, "name"?: "…" } } }
// Port 0 picks a free port. The first line printed is "listening <issuer>".
//
// Its sign-in page asks for a login (a key of "accounts") and the shared password; consent
// is given automatically. Pages are plain HTML with nothing fetched from elsewhere.
import http from 'node:http';

import Provider from 'oidc-provider';

const config = JSON.parse(process.env.OIDC_TEST_CONFIG || '{}');
const accounts = config.accounts || {};
const password = config.password || 'provider-password';

const escape = (value) => String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const page = (title, body) => `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title></head>
<body><main><h1>${escape(title)}</h1>${body}</main></body></html>`;

function send(res, status, html) {
  res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(html);
}

function readForm(req) {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => resolve(new URLSearchParams(body)));
    req.on('error', reject);
  });
}

const loginForm = (uid, message) =>
  page(
    'Test provider sign-in',
    `${message ? `<p role="alert">${escape(message)}</p>` : ''}
<form method="post" action="/interaction/${escape(uid)}/login" autocomplete="off">
  <label>Login <input name="login" required autofocus></label>
  <label>Password <input name="password" type="password" required></label>
  <button type="submit">Sign in at the provider</button>
</form>`,
  );

async function server(port) {
  let route = null; // set once the provider exists: its issuer needs the port first
  const web = http.createServer((req, res) => route(req, res));
  await new Promise((resolve) => web.listen(port, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${web.address().port}`;

  const provider = new Provider(issuer, {
    clients: (config.clients || []).map((client) => ({
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      ...client,
    })),
    async findAccount(ctx, id) {
      if (!Object.hasOwn(accounts, id)) return undefined;
      return {
        accountId: id,
        async claims() {
          return { sub: id, ...accounts[id] };
        },
      };
    },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    conformIdTokenClaims: false, // the email claims travel in the ID token, as st.user reads them
    cookies: { keys: ['portal-test-provider-cookie-key'] },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        async logoutSource(ctx, form) {
          ctx.body = page(
            'Sign out of the test provider?',
            `${form}<button type="submit" form="op.logoutForm" name="logout" value="yes">Yes, sign me out</button>`,
          );
        },
        async postLogoutSuccessSource(ctx) {
          ctx.body = page('Signed out of the test provider', '');
        },
      },
    },
    async renderError(ctx, out) {
      ctx.type = 'html';
      ctx.body = page(
        'Test provider error',
        Object.entries(out)
          .map(([key, value]) => `<p>${escape(key)}: ${escape(value)}</p>`)
          .join(''),
      );
    },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  });

  async function interaction(req, res) {
    const details = await provider.interactionDetails(req, res);
    const { uid, prompt, params } = details;
    if (prompt.name === 'login') {
      if (req.method === 'POST' && req.url.endsWith('/login')) {
        const form = await readForm(req);
        const login = form.get('login') || '';
        if (!Object.hasOwn(accounts, login) || form.get('password') !== password) {
          send(res, 200, loginForm(uid, 'Wrong login or password.'));
          return;
        }
        await provider.interactionFinished(req, res, { login: { accountId: login } }, { mergeWithLastSubmission: false });
        return;
      }
      send(res, 200, loginForm(uid, ''));
      return;
    }
    if (prompt.name === 'consent') {
      const grant = details.grantId
        ? await provider.Grant.find(details.grantId)
        : new provider.Grant({ accountId: details.session.accountId, clientId: params.client_id });
      if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
      if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
      const grantId = await grant.save();
      await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
      return;
    }
    send(res, 400, page('Test provider error', `<p>Unexpected prompt ${escape(prompt.name)}</p>`));
  }

  const handle = provider.callback();
  route = (req, res) => {
    if (req.url.startsWith('/interaction/')) {
      interaction(req, res).catch((error) => send(res, 500, page('Test provider error', `<p>${escape(error)}</p>`)));
      return;
    }
    handle(req, res);
  };
  process.stdout.write(`listening ${issuer}\n`);
  const stop = () => web.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

server(Number(config.port || 0)).catch((error) => {
  process.stderr.write(`${error.stack || error}\n`);
  process.exit(1);
});
