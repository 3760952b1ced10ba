"""Odoo → sidecar admin API (docs/operations.md, "Admin tools in Odoo").

Test connection, the go-live wizard (onboarding), the Shopify locations picker, re-importing an
order by its number and retrying a dead letter call the sidecar's admin API at
`<sidecar URL>/admin/...` with the admin bearer token from Shopify → Settings. Every call has a
short timeout and turns any failure into a UserError that says what to check; the token never
appears in a message or a log line.
"""
import logging

import requests

from odoo import _, api, models
from odoo.exceptions import UserError

_logger = logging.getLogger(__name__)

URL_PARAM = "shopify_sync.sidecar_url"
TOKEN_PARAM = "shopify_sync.admin_token"
DEFAULT_TIMEOUT = 10


class SidecarNotFound(UserError):
    """The sidecar answered 404: the thing asked for does not exist (any more)."""


class ShopifySidecar(models.AbstractModel):
    _name = "shopify.sidecar"
    _description = "Shopify sidecar admin API client"

    @api.model
    def _settings(self):
        # The URL and token are system parameters; Shopify managers use the tools they open.
        params = self.env["ir.config_parameter"].sudo()
        url = (params.get_param(URL_PARAM) or "").strip().rstrip("/")
        token = (params.get_param(TOKEN_PARAM) or "").strip()
        if not url or not token:
            raise UserError(_(
                "Set the sidecar URL and its admin token in Shopify > Configuration > Settings "
                "first."))
        return url, token

    @api.model
    def _call(self, method, path, body=None, timeout=DEFAULT_TIMEOUT, accept_404=False):
        """The sidecar's JSON answer to `method path`; UserError when it cannot be had."""
        url, token = self._settings()
        target = f"{url}/admin{path}"
        try:
            response = requests.request(
                method, target, json=body, timeout=timeout,
                headers={"Authorization": f"Bearer {token}", "Accept": "application/json"})
        except requests.RequestException as exc:
            _logger.info("shopify_sync: sidecar %s %s failed: %s", method, path, type(exc).__name__)
            raise UserError(_(
                "The sidecar did not answer at %(url)s (%(error)s). Check that it runs and that "
                "the URL in Shopify > Configuration > Settings is right.",
                url=url, error=type(exc).__name__)) from None
        if response.status_code == 401:
            raise UserError(_(
                "The sidecar at %(url)s refused the admin token: copy its ADMIN_TOKEN into "
                "Shopify > Configuration > Settings.", url=url))
        try:
            answer = response.json()
        except ValueError:
            answer = {}
        if response.status_code == 404 and accept_404:
            raise SidecarNotFound(answer.get("detail") or _("Not found."))
        if response.status_code >= 400:
            detail = answer.get("detail") or answer.get("error") or response.reason
            # The request named beforehand: Odoo's term extractor evaluates the arguments of _().
            what = f"{method} {path}"
            raise UserError(_("The sidecar answered %(status)s to %(what)s: %(detail)s",
                              status=response.status_code, what=what, detail=detail))
        return answer
