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

use serde_json::Value;

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
/// and each reference to an order name elsewhere is changed with it. SKUs,
/// discount codes and refund notes are made hostile too, though the sandbox
/// does not answer them: `shopify-bookkeeping` does not select them, and
/// GraphQL answers only what is selected.
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

/// `page` with a random change, for tests of decoders against hostile or
/// broken answers: a value replaced by one of the values that sit on a
/// decoding rule's edge (`-0`, 19 digits, a lone surrogate, an escaped NUL,
/// the wrong type), a key removed, repeated or written with an escape, or a
/// byte changed, added or removed; often two of these, now and then none
/// (the page as it was, which a decoder must still read). The same `seed`
/// gives the same change.
///
/// ```
/// use provider_sandbox::hostile::mutated;
///
/// let page = serde_json::json!({"data": [{"id": "txn_1", "amount": 1000}]});
/// let changed: Vec<Vec<u8>> = (0..50).map(|seed| mutated(seed, &page)).collect();
/// assert_eq!(changed[7], mutated(7, &page));
/// assert!(changed.iter().any(|c| serde_json::from_slice::<serde_json::Value>(c).is_err()));
/// assert!(changed.iter().any(|c| serde_json::from_slice::<serde_json::Value>(c).is_ok()));
/// ```
pub fn mutated(seed: u64, page: &Value) -> Vec<u8> {
    let rng = &mut fastrand::Rng::with_seed(seed);
    const VALUES: &[&str] = &[
        "null",
        "\"x\"",
        "0",
        "-0",
        "7",
        "-7",
        "1.5",
        "1e3",
        "true",
        "[]",
        "{}",
        r#""a\"b""#,
        r#""\u00e5\ud83d\ude00""#,
        r#""\ud800""#,
        "12345678901234567890",
        "-9223372036854775808",
        "123456789012345678",
        r#"{"id": "ch_9"}"#,
        r#"{"object": "charge"}"#,
        r#""sek""#,
        r#""SEKX""#,
        r#""charge""#,
        "253402300800",
        r#"[{"amount": 1}]"#,
        "\"\\u0000\"",
    ];
    let mut value = page.clone();
    let mut pointers = Vec::new();
    collect_pointers(&value, String::new(), &mut pointers);
    let pointer = &pointers[rng.usize(..pointers.len())];
    let marker = "\u{1}MARK\u{1}";
    match rng.u8(..4) {
        0 => {
            if let Some(v) = value.pointer_mut(pointer) {
                *v = Value::String(marker.to_owned());
            }
        }
        1 => {
            if let Some((parent, key)) = pointer.rsplit_once('/')
                && let Some(Value::Object(map)) = value.pointer_mut(parent)
            {
                map.remove(key);
            }
        }
        _ => {}
    }
    let text = |v: &Value| serde_json::to_string(v).expect("a Value always serializes");
    let replacement = VALUES[rng.usize(..VALUES.len())];
    let marked = text(&Value::String(marker.to_owned()));
    let text = text(&value).replace(&marked, replacement);
    let mut bytes = text.into_bytes();
    let at = rng.usize(..bytes.len());
    match rng.u8(..8) {
        // A key repeated: `"key":` written twice, with another value first.
        0 => {
            if let Some(pos) = find_from(&bytes, b"\":", at) {
                let start = bytes[..pos].iter().rposition(|&b| b == b'"').unwrap_or(0);
                let mut repeated = bytes[start..pos + 2].to_vec();
                repeated.extend_from_slice(replacement.as_bytes());
                repeated.push(b',');
                bytes.splice(start..start, repeated);
            }
        }
        // A key's first letter written as an escape.
        1 => {
            if let Some(pos) = find_from(&bytes, b"\":", at) {
                let start = bytes[..pos].iter().rposition(|&b| b == b'"').unwrap_or(0);
                if start + 1 < pos {
                    let escape = format!("\\u{:04x}", bytes[start + 1]);
                    bytes.splice(start + 1..start + 2, escape.into_bytes());
                }
            }
        }
        2 => bytes[at] = [b'"', b'\\', b',', b'}', b']', b'0', b' ', 0x1f, 0xff][rng.usize(..9)],
        3 => {
            bytes.remove(at);
        }
        4 => bytes.insert(
            at,
            [b'"', b'\\', b',', b'{', b'[', b'-', b'\n'][rng.usize(..7)],
        ),
        _ => {}
    }
    bytes
}

fn find_from(bytes: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    bytes[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

fn collect_pointers(value: &Value, at: String, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                collect_pointers(v, format!("{at}/{k}"), out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                collect_pointers(v, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
    out.push(at);
}
