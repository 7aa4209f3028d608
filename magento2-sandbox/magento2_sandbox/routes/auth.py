# Copyright 2026 The magento2-sandbox authors. Licensed under the Apache License, Version 2.0.
"""Admin tokens: POST /V1/integration/admin/token (Magento_Integration webapi.xml, anonymous)."""

from __future__ import annotations

from magento2_sandbox.errors import WebapiError
from magento2_sandbox.routing import Ctx, route


@route("POST", "/V1/integration/admin/token", anonymous=True)
def admin_token(ctx: Ctx) -> str:
    body = ctx.body if isinstance(ctx.body, dict) else {}
    for name in ("username", "password"):
        if not body.get(name):
            # Integration/Model/CredentialsValidator.php
            raise WebapiError(
                400, '"%fieldName" is required. Enter and try again.', {"fieldName": name}
            )
    token = str(ctx.sandbox.issue_admin_token(body["username"], body["password"]))
    if ctx.settings.admin_2fa:
        # Magento_TwoFactorAuth (on by default in 2.4) checks the credentials, then refuses to
        # hand out a token here: TwoFactorAuth/Model/AdminAccessTokenService (the plugin on
        # createAdminAccessToken) throws this WebapiException with HTTP 401.
        ctx.sandbox.revoke_admin_token(token)
        raise WebapiError(
            401,
            "Please use the 2fa provider-specific endpoints to obtain a token.",
            {"active_providers": ["google"]},
        )
    return token
