"""OAuth2 for credentials: provider definitions, the wire protocol, the sign-in flow.

``providers.py`` says where each provider's endpoints are (GitHub, Google, any OpenID
Connect issuer); ``client.py`` speaks RFC 6749 (authorization code with PKCE, refresh),
RFC 7009 (revocation) and userinfo; ``flow.py`` runs a user's sign-in from the login URL
to stored credentials. Refreshing stored tokens is the vault's job
(``integrations/credentials.py``), one refresh at a time across processes.
"""
