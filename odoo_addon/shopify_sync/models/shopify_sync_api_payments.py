"""Contract area `payments`: Shopify order transactions become Odoo payments, customer invoices
are made by the company's policy, and what Odoo holds for some transactions is reported for the
daily reconciliation (docs/contract.md, "PaymentsDocument", "payment_status").

- Money is a successful sale, capture or refund, and the cash change a point of sale hands back
  (Shopify books a cash sale at the amount tendered and the change as its own transaction); an
  authorization, a void or a pending, failed or errored transaction books nothing.
- One payment per transaction and company (`account.payment.shopify_transaction_gid`): a
  transaction already booked is skipped, whatever retries and duplicate webhooks do.
- The journal is the gateway's mapping (`shopify.payment.gateway`); gateway `gift_card` goes to
  the company's gift card journal. A company without any mapping books nothing (`disabled`):
  booking payments, and invoicing on payment, start when its first gateway is mapped. An
  unmapped gateway holds the order's payments: the order's binding names the gateway, nothing
  is written, and the next call (Retry, the next order update, the reconciliation) books them
  once it is mapped.
- Sales and captures are inbound payments reconciled with the order's posted invoices; refunds
  are outbound payments reconciled with its posted credit notes; cash change is an outbound
  payment reconciled with the sales (what was tendered beyond the invoice went back); what those
  leave open of a refund is reconciled with the sale it pays back (a refund before invoicing).
  Each call also reconciles what an earlier call could not (a refund booked before its credit
  note existed).
"""
from odoo import api, models
from odoo.exceptions import UserError, ValidationError

from .. import compat
from ..lib import money

MONEY_KINDS = {"sale": "inbound", "capture": "inbound", "refund": "outbound",
               "change": "outbound"}
KINDS = set(MONEY_KINDS) | {"authorization", "emv_authorization", "void", "suggested_refund"}
STATUSES = {"success", "pending", "failure", "error", "awaiting_response", "unknown"}
GIFT_CARD_GATEWAY = "gift_card"
HOLD_PREFIX = "Shopify payments held"
MAX_TRANSACTION_GIDS = 5000


class ShopifySyncApi(models.AbstractModel):
    _inherit = "shopify.sync.api"

    # ------------------------------------------------------------------ apply_payments
    @api.model
    def apply_payments(self, document):
        """Check every transaction → the order → journals (hold when one is unmapped) → the
        invoice the policy asks for → payments → reconciliation. A refusal writes nothing."""
        self = self._begin(document)
        order_gid = self._gid(document, "order_gid", "Order", "payments")
        self._lock(f"order:{order_gid}")
        label = f"payments of order {order_gid}"
        document = self._in_order_money(order_gid, document, label)
        # Amounts are exact in the order's shop currency's minor units (JPY 0, KWD 3 decimals).
        self = self._with_order_currency(order_gid)
        transactions = self._check_transactions(label, document.get("transactions"))
        order = self._imported_order(label, order_gid)
        # The order's company may not be the integration user's current one: its mappings
        # are read whatever the user's company selection (read only).
        if not self.env["shopify.payment.gateway"].sudo().search_count(
                [("company_id", "=", order.company_id.id)]):
            # Booking payments starts with the first mapped gateway: a database that has not
            # set them up (an upgrade, a shop not live yet) is never held for every order.
            return self._payments_result(
                "disabled", order, [], None,
                f"no Shopify payment gateway is mapped in {order.company_id.name}: "
                "payments are not booked")
        Payment = self.env["account.payment"]
        booked = set(Payment.search([
            ("shopify_transaction_gid", "in", [t["gid"] for t in transactions]),
            ("company_id", "=", order.company_id.id)]).mapped("shopify_transaction_gid"))
        todo = [t for t in transactions if t["direction"] and t["gid"] not in booked]
        journals, unmapped = self._payment_journals(order, todo)
        invoice_needed = self._invoice_due(order, "on_payment", todo)
        problem = self._payment_hold_reason(order, unmapped, invoice_needed)
        if problem:
            self._shopify_payments_hold(order, problem)
            return self._payments_result("held", order, [], None, problem)
        invoice = self._shopify_invoice(order) if invoice_needed else self.env["account.move"]
        created = Payment
        for tx in todo:
            created |= self._create_payment(order, tx, journals[tx["gid"]])
        self._shopify_reconcile_order(order)
        self._shopify_payments_hold(order, None)
        status = "applied" if created or invoice else "unchanged"
        return self._payments_result(status, order, created, invoice)

    def _check_transactions(self, label, transactions):
        """Every transaction, before anything is written: a malformed one is refused whole,
        naming the transaction and the field."""
        if not isinstance(transactions, list):
            raise ValidationError(f"{label}: transactions must be a list")
        checked = []
        for index, tx in enumerate(transactions, start=1):
            if not isinstance(tx, dict):
                raise ValidationError(f"{label}: transaction {index} must be an object")
            gid = self._gid(tx, "transaction_gid", "OrderTransaction",
                            f"{label}, transaction {index}")
            tx_label = f"transaction {gid}"
            kind, status = tx.get("kind"), tx.get("status")
            if kind not in KINDS:
                raise ValidationError(f"{tx_label}: kind {kind!r} is not a Shopify transaction "
                                      f"kind ({', '.join(sorted(KINDS))})")
            if status not in STATUSES:
                raise ValidationError(f"{tx_label}: status {status!r} is not a Shopify "
                                      f"transaction status ({', '.join(sorted(STATUSES))})")
            cents = self._cents(tx.get("amount"), f"{tx_label} amount")
            if cents < 0:
                raise ValidationError(f"{tx_label}: amount {tx.get('amount')} is negative; "
                                      "Shopify amounts are positive, the kind gives the direction")
            gateway = tx.get("gateway")
            direction = MONEY_KINDS.get(kind) if status == "success" and cents else None
            if direction and (not isinstance(gateway, str) or not gateway.strip()):
                raise ValidationError(f"{tx_label}: gateway is missing; a payment needs the "
                                      "gateway that names its journal")
            checked.append({"gid": gid, "kind": kind, "direction": direction, "cents": cents,
                            "gateway": (gateway or "").strip(),
                            "processed_at": tx.get("processed_at") or None})
        return checked

    def _payment_journals(self, order, todo):
        """The journal of each transaction to book, and the gateways without one."""
        # Same as the check in apply_payments: the order's company's mappings, read only.
        Map = self.env["shopify.payment.gateway"].sudo()
        journals, unmapped = {}, []
        for tx in todo:
            if tx["gateway"].lower() == GIFT_CARD_GATEWAY:
                journal = order.company_id.shopify_gift_card_journal_id
            else:
                journal = Map._find(tx["gateway"], order.company_id)
            if journal:
                journals[tx["gid"]] = journal
            elif tx["gateway"] not in unmapped:
                unmapped.append(tx["gateway"])
        return journals, unmapped

    @staticmethod
    def _payment_hold_reason(order, unmapped, invoice_needed):
        """Why the order's payments cannot be booked yet (None: they can)."""
        name = order.shopify_name or order.name
        reasons = []
        for gateway in unmapped:
            if gateway.lower() == GIFT_CARD_GATEWAY:
                reasons.append(f'order {name}: gateway "{gateway}" needs the gift card journal '
                               "(Settings → Shopify → Gift card journal)")
            else:
                reasons.append(f'order {name}: payment gateway "{gateway}" has no journal '
                               "(Shopify → Configuration → Payment gateways)")
        if invoice_needed and not order.company_id.shopify_gift_card_account_id and \
                order.order_line.filtered(lambda line: line._shopify_is_gift_card()):
            reasons.append(f"order {name}: sells a gift card and the gift card liability account "
                           "is not set (Settings → Shopify); it is never booked as revenue")
        return "; ".join(reasons) or None

    @staticmethod
    def _shopify_payments_hold(order, problem):
        """Shows the payments hold on the order's binding (`problem`), or lifts it (None). It
        goes after another hold the order carries (a tax mapping, a total to review), never
        over it, and lifting it leaves that other hold as it was."""
        message = (order.shopify_error or "") if order.shopify_state != "synced" else ""
        other = message.split(HOLD_PREFIX, 1)[0].removesuffix("; ")
        if problem:
            held = "; ".join(filter(None, [other, f"{HOLD_PREFIX}: {problem}"]))
            if (order.shopify_state, message) != ("error", held):
                order._shopify_set_result("error", message=held)
        elif HOLD_PREFIX in message:
            # Over (also after a Retry marked the order pending).
            if other:
                order._shopify_set_result(order.shopify_state, message=other)
            else:
                order._shopify_set_result("synced")

    # ------------------------------------------------------------------ invoices
    def _invoice_due(self, order, policy, todo=None):
        """Whether the company's policy asks for an invoice now: the policy is `policy`, the
        order is confirmed with something to invoice and (on payment) money comes in."""
        if order.company_id.shopify_invoice_policy != policy or order.state != "sale":
            return False
        if todo is not None and not any(t["direction"] == "inbound" for t in todo):
            return False
        return order.invoice_status == "to invoice"

    def _shopify_invoice(self, order):
        """The order's invoice (Odoo's own, final so a negative total is a credit note),
        posted."""
        invoices = order.with_context(shopify_sync_origin=True)._create_invoices(final=True)
        invoices.action_post()
        invoices._shopify_set_result("synced")
        return invoices[:1]

    # ------------------------------------------------------------------ payments
    def _create_payment(self, order, tx, journal):
        partner = order.partner_invoice_id.commercial_partner_id
        name = order.shopify_name or order.name
        Payment = self.env["account.payment"]
        payment = Payment.create(compat.vals(Payment, {
            "payment_type": tx["direction"],
            "partner_type": "customer",
            "partner_id": partner.id,
            "amount": float(money.to_decimal(tx["cents"], self._places())),
            "currency_id": order.currency_id.id,
            "journal_id": journal.id,
            "date": (tx["processed_at"] or "")[:10] or False,
            "memo": f"Shopify {name} {tx['kind']} ({tx['gateway']})",
            "shopify_transaction_gid": tx["gid"],
            "shopify_gateway": tx["gateway"],
            "shopify_transaction_kind": tx["kind"],
            "shopify_sale_order_id": order.id,
        }))
        payment.action_post()
        return payment

    def _shopify_has_payments(self, order):
        return bool(self.env["account.payment"].search_count(
            [("shopify_sale_order_id", "=", order.id)], limit=1))

    def _shopify_reconcile_order(self, order):
        """Open Shopify payments of the order against its posted invoices (inbound, with the
        cash change handed back from them) and credit notes (outbound), on the receivable
        account."""
        payments = self.env["account.payment"].search(
            [("shopify_sale_order_id", "=", order.id),
             ("state", "in", compat.PAYMENT_BOOKED_STATES)])
        moves = order.invoice_ids | self.env["account.move"].search(
            [("shopify_sale_order_id", "=", order.id)])
        moves = moves.filtered(lambda m: m.state == "posted")
        change = payments.filtered(lambda p: p.shopify_transaction_kind == "change")
        for direction, move_type in (("inbound", "out_invoice"), ("outbound", "out_refund")):
            group = (payments - change).filtered(lambda p, d=direction: p.payment_type == d)
            if direction == "inbound":
                group |= change
            self._reconcile_receivable(
                group.move_id.line_ids
                | moves.filtered(lambda m, t=move_type: m.move_type == t).line_ids)
        # What the invoices and credit notes left open of the payments: a refund that pays back
        # part of a sale (refunded before invoicing, or its credit note already set against the
        # invoice) is reconciled with that sale, so a settled order leaves nothing open.
        self._reconcile_receivable(payments.move_id.line_ids)

    @staticmethod
    def _reconcile_receivable(lines):
        """Reconciles the open receivable lines among `lines`, per account, when there are
        both debits and credits to match."""
        for account in lines.account_id.filtered(lambda a: a.account_type == "asset_receivable"):
            todo = lines.filtered(lambda aml, a=account: aml.account_id == a
                                  and not aml.reconciled)
            if todo.filtered(lambda aml: aml.balance > 0) and \
                    todo.filtered(lambda aml: aml.balance < 0):
                todo.reconcile()

    def _payments_result(self, status, order, created, invoice, message=None):
        result = {
            "status": status, "sale_order_id": order.id,
            "invoice_id": invoice.id or None if invoice else None,
            "payments": [{
                "transaction_gid": p.shopify_transaction_gid, "payment_id": p.id,
                "payment_type": p.payment_type,
                "amount": money.to_string(p.amount, self._record_places(p)),
                "journal": p.journal_id.name,
            } for p in created],
        }
        if message:
            result["message"] = message
        return result

    # ------------------------------------------------------------------ payment_status
    @api.model
    def payment_status(self, document):
        """What Odoo holds for some Shopify transactions (the sidecar's daily reconciliation)."""
        self = self._begin(document)
        gids = document.get("transaction_gids")
        if not isinstance(gids, list) or not all(isinstance(g, str) for g in gids):
            raise ValidationError("payment_status: transaction_gids must be a list of strings")
        if len(gids) > MAX_TRANSACTION_GIDS:
            raise ValidationError(
                f"payment_status: at most {MAX_TRANSACTION_GIDS} transaction_gids per call")
        # Like refund_status: every company's payments, or a missing one is reported as lost.
        payments = self.env["account.payment"].sudo().search(
            [("shopify_transaction_gid", "in", gids)])
        by_gid = {p.shopify_transaction_gid: p for p in payments}
        # Nothing is booked before the first gateway is mapped (apply_payments: disabled), so
        # the reconciliation has nothing to compare and no repair to send.
        enabled = bool(self.env["shopify.payment.gateway"].sudo().search_count([], limit=1))
        return {"payments_enabled": enabled,
                "payments": [self._payment_status_document(gid, by_gid.get(gid)) for gid in gids]}

    @staticmethod
    def _payment_status_document(gid, payment):
        if not payment:
            return {"transaction_gid": gid, "found": False, "payment_id": None,
                    "sale_order_id": None, "payment_type": None, "amount": None, "state": None,
                    "reconciled": False}
        return {
            "transaction_gid": gid, "found": True, "payment_id": payment.id,
            "sale_order_id": payment.shopify_sale_order_id.id or None,
            "payment_type": payment.payment_type,
            "amount": money.to_string(payment.amount, money.minor_units(payment.currency_id.name)),
            "currency": payment.currency_id.name,
            "state": compat.payment_state(payment), "reconciled": bool(payment.is_reconciled),
        }

    # ------------------------------------------------------------------ on delivery
    @api.model
    def _shopify_invoice_delivered(self, orders):
        """Policy "on delivery": each fully delivered Shopify order with something to invoice
        is invoiced and its payments reconciled. An order that cannot be (a gift card without
        its account) says so on its binding; the delivery stays validated."""
        for order in orders.sudo():  # the caller's sudo(): see stock_picking._action_done
            if not self._invoice_due(order, "on_delivery") or order.picking_ids.filtered(
                    lambda p: p.picking_type_code == "outgoing"
                    and p.state not in ("done", "cancel")):
                continue
            problem = self._payment_hold_reason(order, [], True)
            if not problem:
                try:
                    # Never block the delivery: an invoice Odoo refuses is shown on the order.
                    with self.env.cr.savepoint():
                        self._shopify_invoice(order)
                        self._shopify_reconcile_order(order)
                except (UserError, ValidationError) as exc:
                    problem = f"order {order.shopify_name or order.name}: not invoiced on " \
                        f"delivery: {exc}"
            if problem:
                self._shopify_payments_hold(order, problem)
