"""The OpenID Connect clients, one per configured provider (authorization code with PKCE, via authlib).

authlib keeps each sign-in's state, nonce and PKCE verifier in the signed session cookie until the
provider sends the person back.
"""

from __future__ import annotations

from authlib.integrations.starlette_client import OAuth, StarletteOAuth2App

from portal.settings import OidcProvider, Settings


def build_clients(settings: Settings) -> OAuth:
    oauth = OAuth()
    for provider in settings.oidc_providers:
        oauth.register(
            name=provider.name,
            client_id=provider.client_id,
            client_secret=provider.client_secret,
            server_metadata_url=provider.metadata_url,
            client_kwargs={"scope": provider.scope, "code_challenge_method": "S256"},
        )
    return oauth


def client_for(oauth: OAuth, provider: OidcProvider) -> StarletteOAuth2App:
    client = oauth.create_client(provider.name)
    assert client is not None, provider.name
    return client
