"""Go-live (Shopify → Configuration → Go live): the sidecar's onboarding run from Odoo.

1. Dry run: the sidecar reads both sides and reports what it would link, what conflicts, and
   what would be pushed to Shopify afterwards, by kind (`POST /admin/onboarding?dry_run=1`).
2. Go live: the same for real; links are written and the pushes queued (`dry_run=0`).
3. Progress: how many records are synced, pending or in error, read from Odoo each time the
   wizard is shown (Refresh).
docs/operations.md, "Go-live from Odoo".
"""
from markupsafe import Markup

from odoo import _, fields, models

from .. import compat

ONBOARDING_TIMEOUT = 600
SKIP_REASONS = {
    "internal_user": "internal users", "employee": "employees", "vendor": "vendors",
    "no_sale": "contacts without a sale", "erased": "erased contacts",
    "not_for_sale": "products not for sale",
}


class ShopifyGoLive(models.TransientModel):
    _name = "shopify.go.live"
    _description = "Shopify go-live"

    invoice_policy = fields.Selection(
        related="company_id.shopify_invoice_policy", readonly=False, string="Customer invoices",
        help="Chosen before going live: from then on, orders are invoiced by this policy when "
        "a payment arrives or a delivery completes; older orders are not invoiced in bulk.")
    company_id = fields.Many2one("res.company", default=lambda self: self.env.company,
                                 required=True)
    state = fields.Selection([("start", "Start"), ("reviewed", "Dry run done"),
                              ("done", "Live")], default="start", required=True)
    report = fields.Json(readonly=True)
    report_html = fields.Html(compute="_compute_report_html", sanitize=False,
                              string="Onboarding report")
    progress_html = fields.Html(compute="_compute_progress_html", sanitize=False,
                                string="Progress")

    def _compute_report_html(self):
        for wizard in self:
            wizard.report_html = _render_report(self.env, wizard.report) if wizard.report else False

    def _compute_progress_html(self):
        # Counts over every record, whoever owns it.
        counts = self.env["shopify.sync.status"].sudo()._counts()
        # Same: every user's changes.
        pending = self.env["shopify.sync.event"].sudo().search_count(
            [("state", "in", ("pending", "leased"))])
        # Same: every error.
        errors = self.env["shopify.sync.failure"].sudo().search_count(
            [("state", "in", ("open", "retrying"))])
        rows = Markup("").join(
            Markup("<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>") % (
                label, counts.get(model, {}).get("synced", 0),
                counts.get(model, {}).get("pending", 0), counts.get(model, {}).get("error", 0))
            for model, label in (("product.template", _("Products")),
                                 ("res.partner", _("Customers"))))
        html = Markup("<table class='table table-sm'><thead><tr><th></th><th>%s</th><th>%s</th>"
                      "<th>%s</th></tr></thead><tbody>%s</tbody></table><p>%s</p>") % (
            _("Synced"), _("Pending"), _("Error"), rows,
            _("%(pending)s changes waiting for the sidecar; %(errors)s errors to fix.",
              pending=pending, errors=errors))
        for wizard in self:
            wizard.progress_html = html

    def _run(self, dry_run):
        return self.env["shopify.sidecar"]._call(
            "POST", f"/onboarding?dry_run={1 if dry_run else 0}", {}, timeout=ONBOARDING_TIMEOUT)

    def _reopen(self):
        return {"type": "ir.actions.act_window", "res_model": self._name, "res_id": self.id,
                "view_mode": "form", "target": "new", "name": _("Go live with Shopify")}

    def action_dry_run(self):
        self.ensure_one()
        self.write({"report": self._run(True), "state": "reviewed"})
        return self._reopen()

    def action_go_live(self):
        self.ensure_one()
        self.write({"report": self._run(False), "state": "done"})
        return self._reopen()

    def action_refresh(self):
        return self._reopen()


def _render_report(env, report):
    counts = report.get("counts") or {}
    push = report.get("push") or {}
    plan = report.get("plan") or {}
    _t = compat.translator(env)
    items = [
        _t("Products linked by SKU or barcode: %(linked)s (%(variants)s variants); already "
           "linked: %(already)s") % {"linked": counts.get("productsLinked", 0),
                                     "variants": counts.get("variantsLinked", 0),
                                     "already": counts.get("productsAlreadyLinked", 0)},
        _t("Customers linked by email: %(linked)s; already linked: %(already)s") % {
            "linked": counts.get("customersLinked", 0),
            "already": counts.get("customersAlreadyLinked", 0)},
        (_t("Would be pushed to Shopify afterwards: %(products)s products, %(customers)s "
            "customers") if report.get("dryRun") else
         _t("Pushed to Shopify afterwards: %(products)s products, %(customers)s customers")) % {
            "products": push.get("products", 0), "customers": push.get("customers", 0)},
    ]
    for row in push.get("skipped") or []:
        items.append(_t("Not pushed: %(count)s %(what)s") % {
            "count": row.get("count", 0),
            "what": _t(SKIP_REASONS.get(row.get("reason"), row.get("reason") or ""))})
    html = Markup("<ul>%s</ul>") % Markup("").join(Markup("<li>%s</li>") % i for i in items)
    conflicts = plan.get("conflicts") or []
    if conflicts:
        html += Markup("<div class='alert alert-warning'><strong>%s</strong><ul>%s</ul></div>") % (
            _t("%s conflicts: nothing of these is linked or pushed until fixed.") % len(conflicts),
            Markup("").join(Markup("<li>%s</li>") % c.get("message", "") for c in conflicts[:50]))
    errors = report.get("writeErrors") or []
    if errors:
        html += Markup("<div class='alert alert-danger'>%s</div>") % (
            _t("%s links could not be written: go-live is not complete.") % len(errors))
    return html
