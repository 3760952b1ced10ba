"""Order edits on a confirmed order: added units get a delivery also after delivery; units
removed after Odoo delivered them follow the company's policy (return and credit, or a flag) and
are never a hold; an edit that lowers an invoiced order is credited once, whichever of the edit
and the refund that repays it Odoo applies first, and the two are bound to each other."""
from odoo.tests import tagged

from .. import compat
from .test_api_refunds import RefundCase


@tagged("shopify_sync", "at_install")
class TestOrderEdits(RefundCase):
    def edited(self, number, mugs, tees=0, refund_gids=None):
        """The order document after an edit: `mugs` mugs (12.50) and `tees` tees (20.00), 20 %
        VAT, shipping 5.00 + 1.00."""
        lines = [{
            "line_gid": f"gid://shopify/LineItem/{number}1", "sku": "MUG-RED", "title": "Mug red",
            "quantity": mugs, "price_unit": "12.50", "discount": "0.00",
            "tax_lines": [{"title": "VAT", "rate": "0.2", "amount": self.amount(250 * mugs)}],
        }]
        if tees:
            lines.append({
                "line_gid": f"gid://shopify/LineItem/{number}2", "sku": "TEE-BLUE",
                "title": "Tee blue", "quantity": tees, "price_unit": "20.00", "discount": "0.00",
                "tax_lines": [{"title": "VAT", "rate": "0.2", "amount": self.amount(400 * tees)}],
            })
        subtotal = 1250 * mugs + 2000 * tees
        extra = {"refund_gids": refund_gids} if refund_gids is not None else {}
        return self.order_doc(
            number, updated_at="2026-11-28T10:00:00Z", lines=lines,
            subtotal_price=self.amount(subtotal), total_tax=self.amount(subtotal // 5 + 100),
            total_price=self.amount(subtotal * 6 // 5 + 600), **extra)

    def outgoing(self, order, state=None):
        pickings = order.picking_ids.filtered(lambda p: p.picking_type_code == "outgoing")
        return pickings.filtered(lambda p: p.state == state) if state else pickings

    def test_a_line_added_after_delivery_gets_a_new_delivery(self):
        order, _result = self.import_order(4101)
        first = self.deliver(order)
        result = self.api.apply_order(self.edited(4101, 2, tees=1))
        self.assertEqual((result["status"], result["amount_total"]), ("updated", "60.00"))
        new = self.outgoing(order) - first
        self.assertEqual(len(new), 1)
        # Reserved right after the import, by the scheduled action (test_reservation.py).
        self.assertEqual(new.state, "confirmed")
        self.reserve_imported()
        self.assertEqual(new.state, "assigned")
        self.assertEqual(new.move_ids.mapped(lambda m: (m.product_id, m.product_uom_qty)),
                         [(self.tee, 1.0)])

    def test_more_units_of_a_delivered_line_get_a_new_delivery(self):
        order, _result = self.import_order(4102)
        first = self.deliver(order)
        result = self.api.apply_order(self.edited(4102, 3))
        self.assertEqual((result["status"], result["amount_total"]), ("updated", "51.00"))
        new = self.outgoing(order) - first
        self.assertEqual(new.move_ids.mapped(lambda m: (m.product_id, m.product_uom_qty)),
                         [(self.mug, 1.0)])

    def test_units_removed_after_delivery_are_credited_and_a_return_waits_for_them(self):
        order, _result = self.import_order(4103)
        self.deliver(order)
        line = self.product_line(order)
        result = self.api.apply_order(self.edited(4103, 1))
        # Not held: the order equals Shopify's (one mug, 15.00 + shipping 6.00).
        self.assertEqual((result["status"], result["amount_total"]), ("updated", "21.00"))
        self.assertIn("1 × [MUG-RED] Mug red", result["message"])
        self.assertEqual((line.product_uom_qty, line.qty_delivered, line.shopify_kept_qty),
                         (2, 2, 1))
        credit = order.order_line.filtered(lambda sol: sol.shopify_line_role == "edit_removal")
        self.assertEqual((credit.product_uom_qty, credit.price_unit, credit.price_total),
                         (-1, 12.5, -15.0))
        returns = order.picking_ids.filtered(lambda p: p.picking_type_code == "incoming")
        self.assertEqual(returns.state, "assigned")
        self.assertEqual(returns.move_ids.mapped("product_uom_qty"), [1.0])
        self.assertEqual(order.shopify_state, "synced")
        # The same document again changes nothing (no second credit line, no second return).
        self.api.apply_order(self.edited(4103, 1) | {"updated_at": "2026-11-28T11:00:00Z"})
        self.assertEqual(credit.product_uom_qty, -1)
        self.assertEqual(len(order.picking_ids.filtered(
            lambda p: p.picking_type_code == "incoming")), 1)
        # Receiving the goods does not take the units off a second time.
        returns.move_ids.quantity = 1
        returns.move_ids.picked = True
        returns.button_validate()
        self.assertEqual(line.qty_delivered, 2)
        invoice = order._create_invoices(final=True)
        self.assertEqual(invoice.amount_total, 21.0)

    def test_a_removed_line_after_delivery_under_the_flag_policy_is_flagged_not_held(self):
        self.company.shopify_edit_removal_policy = "flag"
        order, _result = self.import_order(4104)
        self.deliver(order)
        result = self.api.apply_order(self.edited(4104, 0))
        self.assertEqual(result["status"], "flagged")
        self.assertIn("2 × [MUG-RED] Mug red", result["message"])
        self.assertNotIn("held", result["message"])
        line = self.product_line(order)
        self.assertEqual((line.product_uom_qty, line.shopify_kept_qty), (2, 0))
        activity = order.activity_ids.filtered(
            lambda a: a.summary == "Shopify edit removed delivered units")
        self.assertEqual(len(activity), 1)
        self.assertIn("MUG-RED", activity.note)
        self.assertFalse(order.picking_ids.filtered(lambda p: p.picking_type_code == "incoming"))
        # Again: still flagged, still one activity.
        again = self.api.apply_order(self.edited(4104, 0) | {"updated_at": "2026-11-28T11:00:00Z"})
        self.assertEqual(again["status"], "flagged")
        self.assertEqual(len(order.activity_ids.filtered(
            lambda a: a.summary == "Shopify edit removed delivered units")), 1)

    def test_an_edit_of_an_invoiced_order_is_credited_once_edit_first(self):
        order, _result = self.import_order(4105)
        self.deliver(order)
        invoice = self.invoice(order)
        result = self.api.apply_order(self.edited(4105, 1, refund_gids=[]))
        self.assertEqual(result["status"], "updated")
        notes = self.env["account.move"].search(
            [("shopify_sale_order_id", "=", order.id), ("move_type", "=", "out_refund")])
        self.assertEqual((notes.state, notes.amount_total, notes.reversed_entry_id),
                         ("posted", 15.0, invoice))
        self.assertEqual(order.invoice_status, "invoiced")
        # Shopify's refund of the edit's balance: money only, an adjustment of 15.00, all of
        # it repaying the edit. It credits nothing again.
        refund = self.api.apply_refund(self.refund_doc(
            order, 4105, adjustments=[{"amount": "15.00", "reason": "refund_discrepancy"}],
            edit_balance="15.00", total="15.00"))
        self.assertEqual((refund["status"], refund["credit_note_id"]), ("created", None))
        self.assertFalse(order.order_line.filtered(
            lambda sol: sol.shopify_line_role == "refund_adjustment"))
        self.assertEqual(order.amount_total, 21.0)
        self.assertEqual(sum(self.env["account.move"].search(
            [("shopify_sale_order_id", "=", order.id)]).mapped("amount_total")), 15.0)
        # The refund and the edit's credit note it pays point to each other.
        record = self.env["shopify.refund"].browse(refund["refund_id"])
        self.assertEqual((record.edit_balance, record.edit_credit_note_ids), (15.0, notes))
        self.assertEqual(notes.shopify_edit_refund_ids, record)

    def test_an_edit_of_an_invoiced_order_is_credited_once_refund_first(self):
        order, _result = self.import_order(4106)
        self.deliver(order)
        self.invoice(order)
        refund = self.api.apply_refund(self.refund_doc(
            order, 4106, adjustments=[{"amount": "15.00", "reason": "refund_discrepancy"}],
            edit_balance="15.00", total="15.00"))
        self.assertEqual((refund["status"], refund["credit_note_id"]), ("created", None))
        result = self.api.apply_order(self.edited(
            4106, 1, refund_gids=["gid://shopify/Refund/4106"]))
        self.assertEqual((result["status"], result["amount_total"]), ("updated", "21.00"))
        notes = self.env["account.move"].search(
            [("shopify_sale_order_id", "=", order.id), ("move_type", "=", "out_refund")])
        self.assertEqual((len(notes), notes.amount_total), (1, 15.0))
        self.assertEqual(order.invoice_status, "invoiced")
        # Bound when the edit's credit note came, after the refund.
        record = self.env["shopify.refund"].browse(refund["refund_id"])
        self.assertEqual(record.edit_credit_note_ids, notes)
        self.assertEqual((notes.shopify_edit_credit, notes.shopify_edit_refund_ids),
                         (True, record))

    def edit_refund(self, order, number, balance, created_at):
        """Shopify's refund of an edit's balance: money only, all of it repaying edits."""
        result = self.api.apply_refund(self.refund_doc(
            order, number, created_at=created_at, edit_balance=balance, total=balance,
            adjustments=[{"amount": balance, "reason": "refund_discrepancy"}]))
        return self.env["shopify.refund"].browse(result["refund_id"])

    def test_refunds_pay_the_edits_credit_notes_oldest_first(self):
        """Two edits credited 15.00 each; a refund of 10.00 pays part of the first, the next one
        of 20.00 the rest of it and the second: each side lists all the other it pays or is
        paid by."""
        result = self.api.apply_order(self.edited(4109, 3))
        self.reserve_imported()
        order = self.env["sale.order"].browse(result["sale_order_id"])
        self.invoice(order)
        self.api.apply_order(self.edited(4109, 2) | {"updated_at": "2026-11-28T11:00:00Z"})
        self.api.apply_order(self.edited(4109, 1) | {"updated_at": "2026-11-28T12:00:00Z"})
        first, second = self.env["account.move"].search(
            [("shopify_sale_order_id", "=", order.id), ("move_type", "=", "out_refund")],
            order="id")
        self.assertEqual((first.amount_total, second.amount_total), (15.0, 15.0))
        # The later refund is applied first: Shopify's order counts, not Odoo's.
        later = self.edit_refund(order, 41092, "20.00", "2026-11-28T14:00:00Z")
        earlier = self.edit_refund(order, 41091, "10.00", "2026-11-28T13:00:00Z")
        self.assertEqual(earlier.edit_credit_note_ids, first)
        self.assertEqual(later.edit_credit_note_ids, first | second)
        self.assertEqual(first.shopify_edit_refund_ids, earlier | later)
        self.assertEqual(second.shopify_edit_refund_ids, later)
        self.assertFalse(earlier.credit_note_id or later.credit_note_id)

    def test_a_refund_of_an_edit_before_invoicing_pays_no_credit_note(self):
        """Its edit has no credit note (the invoice counts the lowered order): it is never bound
        to the credit note of a later edit, which the next refund pays."""
        result = self.api.apply_order(self.edited(4110, 3))
        self.reserve_imported()
        order = self.env["sale.order"].browse(result["sale_order_id"])
        self.api.apply_order(self.edited(4110, 2) | {"updated_at": "2026-11-28T11:00:00Z"})
        before = self.edit_refund(order, 41101, "15.00", "2026-11-28T11:30:00Z")
        self.assertEqual((before.edit_balance, before.edit_credit_note_ids),
                         (0.0, self.env["account.move"]))
        self.invoice(order)
        self.api.apply_order(self.edited(4110, 1) | {"updated_at": "2026-11-28T12:00:00Z"})
        note = self.env["account.move"].search(
            [("shopify_sale_order_id", "=", order.id), ("move_type", "=", "out_refund")])
        self.assertEqual((note.amount_total, note.shopify_edit_refund_ids),
                         (15.0, self.env["shopify.refund"]))
        after = self.edit_refund(order, 41102, "15.00", "2026-11-28T13:00:00Z")
        self.assertEqual(after.edit_credit_note_ids, note)
        self.assertEqual(note.shopify_edit_refund_ids, after)

    def test_an_edit_before_delivery_of_an_invoiced_order_is_credited(self):
        order, _result = self.import_order(4107)
        self.invoice(order)
        result = self.api.apply_order(self.edited(4107, 1))
        self.assertEqual((result["status"], result["amount_total"]), ("updated", "21.00"))
        self.assertEqual(self.product_line(order).product_uom_qty, 1)
        notes = self.env["account.move"].search(
            [("shopify_sale_order_id", "=", order.id), ("move_type", "=", "out_refund")])
        self.assertEqual((notes.state, notes.amount_total), ("posted", 15.0))
        self.assertEqual(notes.invoice_line_ids.sale_line_ids, self.product_line(order))

    def test_an_edit_balance_beyond_the_adjustments_is_refused(self):
        order, _result = self.import_order(4108)
        with self.assertRaisesRegex(Exception, "edit_balance"):
            self.api.apply_refund(self.refund_doc(
                order, 4108, adjustments=[{"amount": "5.00", "reason": None}],
                edit_balance="15.00", total="5.00"))


@tagged("shopify_sync", "at_install")
class TestShippingEdits(RefundCase):
    """Shipping lines an order edit changed in Shopify (orderEditUpdateShippingLine,
    orderEditAddShippingLine, orderEditRemoveShippingLine; docs/flows.md, "Shipping lines and
    order edits"): two mugs (25.00 + 5.00 VAT) and shipping lines Standard 5.00 + 1.00 and
    Express 7.00 + 1.40."""

    EXPRESS = {"title": "Express", "code": "EXP", "price": "7.00", "discount": "0.00",
               "tax_lines": [{"title": "VAT", "rate": "0.2", "amount": "1.40"}]}

    def shipped(self, number, ships, updated_at="2026-11-28T10:00:00Z"):
        """The order with `ships` [(shipping line, price, VAT, removed)], totals to match."""
        base = self.order_doc(number)["shipping_lines"][0]
        lines, shipping, tax = [], 0, 500
        for line, price, vat, removed in ships:
            lines.append(dict(line or base, price=self.amount(price),
                              tax_lines=[{"title": "VAT", "rate": "0.2",
                                          "amount": self.amount(vat)}],
                              **({"removed": True} if removed else {})))
            if not removed:
                shipping, tax = shipping + price, tax + vat
        return self.order_doc(number, updated_at=updated_at, shipping_lines=lines,
                              total_tax=self.amount(tax),
                              total_price=self.amount(2500 + shipping + tax))

    def shipping_lines(self, order):
        return order.order_line.filtered(lambda line: line.shopify_line_role == "shipping")

    def edit_notes(self, order):
        return self.env["account.move"].search(
            [("shopify_sale_order_id", "=", order.id), ("move_type", "=", "out_refund")])

    def test_a_removed_shipping_line_keeps_the_next_ones_key_and_is_credited_once_invoiced(self):
        doc = self.shipped(4201, [(None, 500, 100, False), (self.EXPRESS, 700, 140, False)])
        order, result = self.import_order(4201, **{
            key: doc[key] for key in ("shipping_lines", "total_tax", "total_price")})
        self.assertEqual(result["amount_total"], "44.40")
        self.invoice(order)
        standard, express = self.shipping_lines(order)
        result = self.api.apply_order(self.shipped(
            4201, [(None, 500, 100, True), (self.EXPRESS, 700, 140, False)]))
        self.assertEqual((result["status"], result["amount_total"]), ("updated", "38.40"),
                         result.get("message"))
        self.assertEqual((standard.product_uom_qty, express.product_uom_qty,
                          express.price_unit), (0, 1, 7.0))
        note = self.edit_notes(order)
        self.assertEqual((note.state, note.amount_total), ("posted", 6.0))
        self.assertEqual(note.invoice_line_ids.sale_line_ids, standard)
        self.assertEqual(order.invoice_status, "invoiced")

    def test_a_shipping_line_lowered_or_removed_before_invoicing_is_followed(self):
        order, _result = self.import_order(4202)
        result = self.api.apply_order(self.shipped(4202, [(None, 300, 60, False)]))
        self.assertEqual((result["status"], result["amount_total"]), ("updated", "33.60"))
        self.assertEqual(self.shipping_lines(order).price_unit, 3.0)
        result = self.api.apply_order(self.shipped(4202, [(None, 300, 60, True)],
                                                   updated_at="2026-11-28T11:00:00Z"))
        self.assertEqual((result["status"], result["amount_total"]), ("updated", "30.00"))
        self.assertEqual(self.shipping_lines(order).product_uom_qty, 0)
        self.assertFalse(self.edit_notes(order))
        self.assertEqual(self.invoice(order).amount_total, 30.0)

    def raises(self, order):
        return order.order_line.filtered(lambda line: line.shopify_line_role == "raised")

    def net_invoiced(self, order):
        """The order's posted invoices less its posted credit notes (an edit's credit note of
        lowered prices only has no line linked to the order: found by its binding)."""
        moves = order.invoice_ids | self.edit_notes(order)
        return round(sum(m.amount_total * (1 if m.move_type == "out_invoice" else -1)
                         for m in moves if m.state == "posted"), 2)

    def test_a_shipping_price_lowered_after_invoicing_is_credited_and_a_raised_one_invoiced(self):
        order, _result = self.import_order(4203)
        self.invoice(order)
        result = self.api.apply_order(self.shipped(4203, [(None, 300, 60, False)]))
        self.assertEqual((result["status"], result["amount_total"]), ("updated", "33.60"))
        note = self.edit_notes(order)
        self.assertEqual((note.state, note.amount_total), ("posted", 2.4))
        self.assertEqual(note.invoice_line_ids.mapped("name"), ["Lowered in Shopify: Standard"])
        self.assertEqual(order.invoice_status, "invoiced")
        standard = self.shipping_lines(order)
        result = self.api.apply_order(self.shipped(4203, [(None, 400, 80, False)],
                                                   updated_at="2026-11-28T11:00:00Z"))
        self.assertEqual((result["status"], result["amount_total"]), ("updated", "34.80"),
                         result.get("message"))
        self.assertEqual(order.shopify_state, "synced")
        # The shipping line keeps what was invoiced; the raise is a line of its own, to invoice.
        self.assertEqual((standard.price_unit, standard.qty_invoiced), (3.0, 1))
        supplement = self.raises(order)
        self.assertEqual(
            (supplement.name, supplement.product_id, compat.value(supplement, "tax_id"),
             supplement.price_unit, supplement.product_uom_qty, supplement.shopify_line_gid),
            ("Raised in Shopify: Standard", standard.product_id, compat.value(standard, "tax_id"),
             1.0, 1, standard.shopify_line_gid))
        self.assertEqual(order.invoice_status, "to invoice")
        self.assertEqual(self.invoice(order).amount_total, 1.2)
        self.assertEqual(self.net_invoiced(order), 34.8)
        # Raised again once that is invoiced: a second supplement; the first is never billed
        # twice.
        result = self.api.apply_order(self.shipped(4203, [(None, 450, 90, False)],
                                                   updated_at="2026-11-28T12:00:00Z"))
        self.assertEqual((result["status"], result["amount_total"]), ("updated", "35.40"))
        self.assertEqual(self.raises(order).mapped("price_unit"), [1.0, 0.5])
        self.assertEqual(self.invoice(order).amount_total, 0.6)
        self.assertEqual(self.net_invoiced(order), 35.4)
        self.assertEqual(order.invoice_status, "invoiced")

    def test_a_raise_not_invoiced_follows_and_a_lower_credits_only_what_was_invoiced_above(self):
        order, _result = self.import_order(4204)
        self.invoice(order)
        self.api.apply_order(self.shipped(4204, [(None, 600, 120, False)]))
        self.assertEqual(self.invoice(order).amount_total, 1.2)
        # 6.00 → 7.00 (not invoiced) → 6.50: the supplement follows, nothing is credited.
        self.api.apply_order(self.shipped(4204, [(None, 700, 140, False)],
                                          updated_at="2026-11-28T11:00:00Z"))
        result = self.api.apply_order(self.shipped(4204, [(None, 650, 130, False)],
                                                   updated_at="2026-11-28T12:00:00Z"))
        self.assertEqual((result["status"], result["amount_total"]), ("updated", "37.80"))
        self.assertEqual(self.raises(order).mapped("price_unit"), [1.0, 0.5])
        self.assertFalse(self.edit_notes(order))
        # 6.50 → 5.50: the open raise goes to 0; 0.50 + 0.10 of the invoiced 6.00 is credited,
        # taken off the invoiced raise; never below Shopify's price.
        result = self.api.apply_order(self.shipped(4204, [(None, 550, 110, False)],
                                                   updated_at="2026-11-28T13:00:00Z"))
        self.assertEqual((result["status"], result["amount_total"]), ("updated", "36.60"),
                         result.get("message"))
        first, second = self.raises(order)
        self.assertEqual((first.price_unit, first.product_uom_qty, second.product_uom_qty),
                         (0.5, 1, 0))
        self.assertEqual(self.shipping_lines(order).price_unit, 5.0)
        note = self.edit_notes(order)
        self.assertEqual((note.state, note.amount_total), ("posted", 0.6))
        self.assertEqual(order.invoice_status, "invoiced")
        self.assertEqual(self.net_invoiced(order), 36.6)

    def test_a_removed_shipping_line_takes_its_invoiced_raise_with_it(self):
        order, _result = self.import_order(4205)
        self.invoice(order)
        self.api.apply_order(self.shipped(4205, [(None, 600, 120, False)]))
        self.invoice(order)
        result = self.api.apply_order(self.shipped(4205, [(None, 600, 120, True)],
                                                   updated_at="2026-11-28T11:00:00Z"))
        self.assertEqual((result["status"], result["amount_total"]), ("updated", "30.00"),
                         result.get("message"))
        note = self.edit_notes(order)
        self.assertEqual((note.state, note.amount_total), ("posted", 7.2))
        self.assertEqual(note.invoice_line_ids.sale_line_ids,
                         self.shipping_lines(order) | self.raises(order))
        self.assertEqual(order.invoice_status, "invoiced")
        self.assertEqual(self.net_invoiced(order), 30.0)

    def test_a_raise_on_payment_is_invoiced_when_the_outstanding_amount_is_paid(self):
        """Invoice policy "on payment": the raise is to invoice like an added line, and the
        orders/paid of the outstanding amount invoices it."""
        journal = self.env["account.journal"].create({
            "name": "Shopify card", "code": "SHRSE", "type": "bank",
            "company_id": self.company.id})
        self.env["shopify.payment.gateway"].create({"name": "shopify_payments",
                                                    "journal_id": journal.id})
        self.company.shopify_invoice_policy = "on_payment"
        order, _result = self.import_order(4206)

        def paid(number, amount):
            return self.api.apply_payments({"order_gid": order.shopify_gid, "transactions": [{
                "transaction_gid": f"gid://shopify/OrderTransaction/{number}",
                "kind": "sale", "status": "success", "amount": amount,
                "gateway": "shopify_payments", "processed_at": "2026-11-28T09:00:00Z"}]})

        self.assertEqual(paid(42061, "36.00")["status"], "applied")
        self.assertEqual(order.invoice_status, "invoiced")
        result = self.api.apply_order(self.shipped(4206, [(None, 600, 120, False)]))
        self.assertEqual((result["status"], result["amount_total"]), ("updated", "37.20"))
        self.assertEqual(order.invoice_status, "to invoice")
        self.assertEqual(paid(42062, "1.20")["status"], "applied")
        self.assertEqual(order.invoice_status, "invoiced")
        self.assertEqual(self.net_invoiced(order), 37.2)
