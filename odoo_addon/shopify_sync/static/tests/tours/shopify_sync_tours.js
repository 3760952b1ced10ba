/** @odoo-module **/
// Browser tours of what admins and Sales users do with Shopify in Odoo (tests/test_tours.py
// plants the data and answers for the sidecar; docs/operations.md, "Admin tools in Odoo").
import { registry } from "@web/core/registry";
import { session } from "@web/session";

const registered = registry.category("web_tour.tours");

// Odoo 17.0's tours (web_tour/static/src/tour_service/tour_compilers.js) click the trigger of a
// step without `run` unless it says `isCheck`, type with `text`, and while a dialog is open look
// for a trigger inside it (`findTrigger`), so one that names the dialog itself (".modal …")
// matches nothing unless the step says `in_modal: false`; 18.0 only waits for a step without
// `run`, types with `edit`, searches the whole page and refuses unknown step keys. The steps
// below are in 18.0's terms.
const ODOO_17 = session.server_version_info?.[0] === 17;
const NAMES_THE_DIALOG = /^\.modal(?![-\w])/;

function forVersion(step) {
    if (!ODOO_17) {
        return step;
    }
    if (NAMES_THE_DIALOG.test(step.trigger)) {
        step = { ...step, in_modal: false };
    }
    if (step.run === undefined) {
        return { ...step, isCheck: true };
    }
    if (typeof step.run === "string" && step.run.startsWith("edit ")) {
        return { ...step, run: `text ${step.run.slice(5)}` };
    }
    return step;
}

const tours = {
    add(name, tour) {
        registered.add(name, { ...tour, steps: () => tour.steps().map(forVersion) });
    },
};

// A stat button's counter is a positive number (17.0's jQuery triggers have no regular
// expression in `:contains`, so the count is read when the button shows).
function positiveCount(button, content) {
    const selector = `button[name='${button}'] .o_stat_value`;
    return {
        content,
        trigger: selector,
        run() {
            const text = document.querySelector(selector).textContent.trim();
            if (!/^[1-9][0-9]*$/.test(text)) {
                throw new Error(`${button}: the count is "${text}", expected a positive number`);
            }
        },
    };
}

// The admin: Overview as the menu opens it, Test connection, go-live (dry run, confirm,
// progress), then an order that never reached Odoo fixed from Errors with Retry.
tours.add("shopify_sync_admin_go_live_and_fix", {
    steps: () => [
        positiveCount("action_open_errors", "the Overview counts the errors as soon as it opens"),
        positiveCount("action_open_held_orders", "the held and flagged orders are counted too"),
        {
            content: "Test connection",
            trigger: "button[name='action_test_connection']",
            run: "click",
        },
        {
            content: "it says what answered",
            trigger: ".o_notification:contains(Sidecar 0.3.0 answered)",
        },
        {
            content: "the webhooks the sidecar reported are shown",
            trigger: ".o_form_view:contains(15 of 16 topics subscribed)",
        },
        {
            content: "open the go-live wizard",
            trigger: ".o_form_statusbar button:contains(Go live)",
            run: "click",
        },
        {
            content: "start with a dry run",
            trigger: ".modal button[name='action_dry_run']",
            run: "click",
        },
        {
            content: "the dry run says what would be pushed and what is kept out",
            trigger: ".modal:contains(Would be pushed to Shopify afterwards: 4 products, 2 customers):contains(Not pushed: 1 internal users)",
        },
        {
            content: "go live",
            trigger: ".modal button[name='action_go_live']",
            run: "click",
        },
        {
            content: "confirm",
            trigger: ".modal-footer button.btn-primary:contains(Ok)",
            run: "click",
        },
        {
            content: "the shop is live and the progress is shown",
            trigger: ".modal .alert-success:contains(The shop is live)",
        },
        {
            trigger: ".modal:contains(Synced):contains(Pending)",
        },
        {
            content: "close the wizard",
            trigger: ".modal-footer button:contains(Close)",
            run: "click",
        },
        {
            content: "open the errors",
            trigger: "button[name='action_open_errors']",
            run: "click",
        },
        {
            content: "the order Odoo never got is listed with its customer",
            trigger: ".o_data_row:contains(#9401):contains(Grace Hopper) td.o_data_cell[name=display_name]",
            run: "click",
        },
        {
            content: "it says what happened and what to do",
            trigger: ".o_form_view .alert-danger:contains(NOPE)",
        },
        {
            content: "Retry",
            trigger: ".o_form_statusbar button[name='action_retry']",
            run: "click",
        },
        {
            content: "Retry says what it queued",
            trigger: ".o_notification:contains(runs the failed job again)",
        },
    ],
});

// The admin on a held order: the ribbon and banner say why; "Create tax mapping" is pre-filled
// from the order's Shopify tax lines and re-imports the order.
tours.add("shopify_sync_admin_tax_mapping", {
    steps: () => [
        {
            content: "the held order carries a ribbon",
            trigger: ".o_form_view .ribbon:contains(Held)",
        },
        {
            content: "and says why",
            trigger: "[name='shopify_hold_banner']:contains(City tax)",
        },
        {
            content: "Create tax mapping",
            trigger: "button[name='action_shopify_create_tax_mapping']",
            run: "click",
        },
        {
            content: "the Shopify tax line is pre-filled",
            trigger: ".modal .o_data_row:contains(City tax) .o_data_cell[name='tax_id']",
            run: "click",
        },
        {
            content: "pick the Odoo tax",
            trigger: ".modal .o_data_row [name='tax_id'] input",
            run: "edit Tour VAT",
        },
        {
            trigger: ".o-autocomplete--dropdown-item:contains(Tour VAT 5%)",
            run: "click",
        },
        {
            content: "create it",
            trigger: ".modal button[name='action_create']",
            run: "click",
        },
        {
            content: "the order is re-imported and says so",
            trigger: ".o_notification:contains(re-reads the order from Shopify)",
        },
    ],
});

// A Sales user (own documents) with the Shopify user level: the status column in the
// quotations list, a flagged order's ribbon, and confirming it through the dialog that names
// the difference.
tours.add("shopify_sync_sales_user", {
    steps: () => [
        {
            content: "the quotations list has a Shopify status column",
            trigger: ".o_list_view th:contains(Shopify status)",
        },
        {
            content: "imported orders have no salesperson: leave \"My Quotations\"",
            trigger: ".o_searchview_facet:contains(My Quotations) .o_facet_remove",
            run: "click",
        },
        {
            content: "the flagged order is listed as from Shopify",
            trigger: ".o_data_row:contains(#9403) td.o_data_cell[name=name]",
            run: "click",
        },
        {
            content: "the flagged order carries a ribbon",
            trigger: ".o_form_view .ribbon:contains(Flagged)",
        },
        {
            content: "its Shopify tab is readable",
            trigger: ".o_notebook a.nav-link:contains(Shopify)",
            run: "click",
        },
        {
            trigger: ".o_notebook .tab-pane.active:contains(Paid)",
        },
        {
            content: "Confirm asks first",
            trigger: ".o_form_statusbar button[name='action_shopify_confirm_held']",
            run: "click",
        },
        {
            content: "naming the difference",
            trigger: ".modal:contains(paid 37.20 in Shopify; this order totals 36.00)",
        },
        {
            trigger: ".modal button[name='action_confirm']",
            run: "click",
        },
        {
            content: "the order is confirmed",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains(Sales Order)",
        },
    ],
});
