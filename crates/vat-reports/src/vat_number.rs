//! Whether a customer's VAT number looks valid for the EC sales list.
//!
//! Skatteverket: "Köparens VAT-nummer består av landskoden med två bokstäver,
//! följd av upp till tolv tecken. Giltiga tecken är siffrorna 0–9 och
//! bokstäverna A–Z. Du ska inte ta med eventuella bindestreck, punkter eller
//! mellanslag." The lengths per country are the VIES formats (Greece's
//! prefix is `EL`, Northern Ireland's `XI`). Whether the number is
//! registered is for VIES to say; this only refuses what cannot be one.

use bookkeeping_core::CountryCode;

/// (prefix, lengths after the prefix, digits only).
const FORMATS: &[(&str, &[usize], bool)] = &[
    ("AT", &[9], false), // U + 8 digits
    ("BE", &[10], true),
    ("BG", &[9, 10], true),
    ("CY", &[9], false),
    ("CZ", &[8, 9, 10], true),
    ("DE", &[9], true),
    ("DK", &[8], true),
    ("EE", &[9], true),
    ("EL", &[9], true),
    ("ES", &[9], false),
    ("FI", &[8], true),
    ("FR", &[11], false),
    ("HR", &[11], true),
    ("HU", &[8], true),
    ("IE", &[8, 9], false),
    ("IT", &[11], true),
    ("LT", &[9, 12], true),
    ("LU", &[8], true),
    ("LV", &[11], true),
    ("MT", &[8], true),
    ("NL", &[12], false),
    ("PL", &[10], true),
    ("PT", &[9], true),
    ("RO", &[2, 3, 4, 5, 6, 7, 8, 9, 10], true),
    ("SI", &[8], true),
    ("SK", &[10], true),
    ("XI", &[5, 9, 12], false),
];

/// A VAT number without spaces, dots and hyphens, upper case, if it looks
/// like an EU business's VAT number (a member state's prefix other than SE,
/// the length and characters of that state's numbers), and its prefix
/// matches `country` when that is known.
///
/// # Errors
/// Why it does not, in a sentence for a review item.
///
/// ```
/// use bookkeeping_core::CountryCode;
/// use vat_reports::eu_vat_number;
///
/// let fi = CountryCode::new("FI")?;
/// assert_eq!(eu_vat_number("fi 2077-4740", Some(fi)).as_deref(), Ok("FI20774740"));
/// assert!(eu_vat_number("FI2077474", Some(fi)).is_err()); // seven digits
/// assert!(eu_vat_number("SE556677889901", None).is_err()); // a Swedish number
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn eu_vat_number(raw: &str, country: Option<CountryCode>) -> Result<String, String> {
    let cleaned: String = raw
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '.' | '\u{a0}'))
        .collect::<String>()
        .to_ascii_uppercase();
    if cleaned.is_empty() {
        return Err("no VAT number".to_owned());
    }
    if !cleaned.chars().all(|c| c.is_ascii_alphanumeric()) || cleaned.len() > 14 {
        return Err(format!(
            "{raw:?} is not a VAT number (only A–Z and 0–9, at most 14)"
        ));
    }
    let (prefix, rest) = cleaned.split_at(2.min(cleaned.len()));
    if prefix == "SE" {
        return Err(format!(
            "{cleaned} is a Swedish VAT number, not another member state's"
        ));
    }
    let Some((_, lengths, digits)) = FORMATS.iter().find(|(p, _, _)| *p == prefix) else {
        return Err(format!(
            "{cleaned} does not start with an EU member state's prefix"
        ));
    };
    if !lengths.contains(&rest.len()) || (*digits && !rest.chars().all(|c| c.is_ascii_digit())) {
        return Err(format!(
            "{cleaned} does not have the format of {prefix} VAT numbers"
        ));
    }
    if let Some(country) = country {
        let expected = match country.as_str() {
            "GR" => "EL",
            "GB" => "XI",
            other => other,
        };
        if expected != prefix {
            return Err(format!(
                "{cleaned} is a {prefix} number but the customer is in {country}"
            ));
        }
    }
    Ok(cleaned)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cc(c: &str) -> Option<CountryCode> {
        Some(CountryCode::new(c).expect("country"))
    }

    #[test]
    fn member_state_formats() {
        // Greece's prefix is EL, its country code GR.
        assert_eq!(
            eu_vat_number("EL094259216", cc("GR")).as_deref(),
            Ok("EL094259216")
        );
        assert!(eu_vat_number("GR094259216", cc("GR")).is_err());
        // Austria: U and eight digits; the Netherlands: nine digits, B, two digits.
        assert_eq!(
            eu_vat_number("ATU12345678", cc("AT")).as_deref(),
            Ok("ATU12345678")
        );
        assert_eq!(
            eu_vat_number("nl.8527.62.031.B01", cc("NL")).as_deref(),
            Ok("NL852762031B01")
        );
        // Northern Ireland (goods): XI with a GB customer.
        assert_eq!(
            eu_vat_number("XI123456789", cc("GB")).as_deref(),
            Ok("XI123456789")
        );
        // A German number on a Finnish customer, a letter in a digits-only
        // format, a non-member prefix, hostile text.
        assert!(eu_vat_number("DE811907980", cc("FI")).is_err());
        assert!(eu_vat_number("DE81190798O", None).is_err());
        assert!(eu_vat_number("NO123456789MVA", None).is_err());
        assert!(eu_vat_number("FI2077;4740", None).is_err());
        assert!(eu_vat_number("  ", None).is_err());
    }
}
