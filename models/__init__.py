"""The portal's domain: records, rules and queries. No Streamlit here."""
