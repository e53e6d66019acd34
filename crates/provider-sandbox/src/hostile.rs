//! A hostile month: the sandbox month with what a customer (or a provider
//! account someone else controls) can type put into every customer-controlled
//! field, for end-to-end tests that nothing of it breaks a report, forges a
//! record or stops the close.
//!
//! Opt-in: [`Scenario::generate`] is unchanged, so the default sandbox month
//! and its snapshots stay as they are. Amounts, dates, ids and every link
//! between providers stay the same, so the hostile month books exactly what
//! the plain month books.
//!
//! ```
//! use provider_sandbox::scenario::{Scenario, ScenarioConfig};
//! use provider_sandbox::hostile::{HOSTILE, hostile};
//! use bookkeeping_core::Period;
//!
//! let plain = Scenario::generate(&ScenarioConfig::small(Period::month(2026, time::Month::March)?));
//! let month = hostile(plain.clone());
//! assert!(month.orders[0].name.starts_with(&plain.orders[0].name));
//! assert!(month.orders[0].name.ends_with(HOSTILE[0]));
//! # Ok::<(), bookkeeping_core::PeriodError>(())
//! ```

use std::collections::BTreeMap;

use crate::scenario::Scenario;

/// The hostile strings: HTML that runs or loads, Markdown links and images,
/// table breakers, line breaks (CR, LF, a CR LF that starts a forged table
/// row or SIE record), NUL and other control characters, terminal escape
/// sequences, bidi overrides, zero-width characters, emoji, SIE records,
/// spreadsheet formula starts, quotes and backslashes.
pub const HOSTILE: &[&str] = &[
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[click](https://evil.example/) or WWW.evil.example, mail anna@evil.example",
    "![t](https://evil.example/t.png)",
    " | forged | cell |",
    "\r\n| x | y | z | w | v |",
    "\r\n#VER \"F\" \"\" 20260301 \"forged\"\r\n{\r\n#TRANS 1930 {} 1000000\r\n}",
    "\n#TRANS 3001 {} -1000000",
    "nul\0byte",
    "bidi \u{202e}gpj.exe\u{202c} \u{2066}x\u{2069}",
    "zero\u{200b}width\u{feff}",
    "\u{1b}]0;owned\u{7}\u{1b}[2J\u{1b}[32mOK\u{1b}[0m",
    "emoji ☕🎉👩‍👩‍👧",
    "=HYPERLINK(\"https://evil.example\",\"x\")",
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A9)",
    "\"quoted\" \\back\\slash\\",
    "*bold* _em_ ~~del~~ `code` $x$ &amp; &#60;",
];

/// The hostile string number `i` (cycling through [`HOSTILE`]).
pub fn hostile_text(i: usize) -> &'static str {
    HOSTILE[i % HOSTILE.len()]
}

/// `scenario` with a hostile string appended to every customer-controlled
/// field:
///
/// - Shopify: order names (the document number, also Klarna's
///   `merchant_reference1` and PayPal's `invoice_id` and
///   `transaction_subject`), line item titles and SKUs, shipping titles,
///   discount codes, refund notes;
/// - Stripe: invoice numbers (and the charge descriptions quoting them),
///   invoice line descriptions, customer names;
/// - PayPal: payer names.
///
/// Each value keeps its original start, so a record can still be told apart,
/// and each reference to an order name elsewhere is changed with it.
pub fn hostile(mut scenario: Scenario) -> Scenario {
    let mut n = 0;
    let mut next = || {
        n += 1;
        hostile_text(n - 1)
    };
    let mut renamed = BTreeMap::new();
    for order in &mut scenario.orders {
        let name = format!("{}{}", order.name, next());
        renamed.insert(std::mem::replace(&mut order.name, name.clone()), name);
        for line in &mut order.lines {
            line.title.push_str(next());
            line.sku.push_str(next());
        }
        if let Some(shipping) = &mut order.shipping {
            shipping.title.push_str(next());
        }
        if let Some((code, _)) = &mut order.discount_code {
            code.push_str(next());
        }
        for refund in &mut order.refunds {
            refund.note.push_str(next());
        }
    }
    let rename = |value: &mut Option<String>| {
        if let Some(new) = value.as_ref().and_then(|v| renamed.get(v)) {
            *value = Some(new.clone());
        }
    };
    for plan in scenario
        .shopify_payouts
        .iter_mut()
        .chain(&mut scenario.klarna_payouts)
        .chain(&mut scenario.stripe_payouts)
    {
        for item in &mut plan.items {
            rename(&mut item.reference);
        }
    }
    for t in &mut scenario.paypal.transactions {
        rename(&mut t.invoice_id);
        if let Some((_, name)) = &mut t.payer {
            name.push_str(next());
        }
    }
    for invoice in &mut scenario.invoices {
        invoice.number.push_str(next());
        invoice.customer.name.push_str(next());
        for line in &mut invoice.lines {
            line.description.push_str(next());
        }
    }
    scenario
}
