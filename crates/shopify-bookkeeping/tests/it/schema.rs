//! Every query the client sends is valid against Shopify's complete 2026-01
//! Admin API schema (copied from nozzlegear/ShopifySharp, see the fixture's
//! SOURCES note in the shared fixtures).

use std::sync::OnceLock;

use apollo_compiler::validation::Valid;
use apollo_compiler::{ExecutableDocument, Schema};

fn schema() -> &'static Valid<Schema> {
    static SCHEMA: OnceLock<Valid<Schema>> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/shopify/admin-graphql-2026-01.schema.graphql"
        );
        let sdl = std::fs::read_to_string(path).expect("schema");
        Schema::parse_and_validate(sdl, "admin-graphql-2026-01.schema.graphql")
            .unwrap_or_else(|e| panic!("the schema does not validate: {}", e.errors))
    })
}

#[test]
fn every_query_validates_against_the_2026_01_schema() {
    assert_eq!(shopify_bookkeeping::API_VERSION, "2026-01");
    for (name, query) in shopify_bookkeeping::queries::ALL {
        if let Err(e) =
            ExecutableDocument::parse_and_validate(schema(), *query, format!("{name}.graphql"))
        {
            panic!("query {name} is not valid for 2026-01:\n{}", e.errors);
        }
    }
}

#[test]
fn a_field_shopify_does_not_have_is_caught() {
    // `gateway` left Order long ago; `countryCode` is deprecated but exists.
    let bad = "query { orders(first: 1) { nodes { id gateway } } }";
    assert!(ExecutableDocument::parse_and_validate(schema(), bad, "bad.graphql").is_err());
    let ok = "query { orders(first: 1) { nodes { id billingAddress { countryCode } } } }";
    assert!(ExecutableDocument::parse_and_validate(schema(), ok, "ok.graphql").is_ok());
}

/// The orders bulk query is valid for 2026-01 and keeps Shopify's bulk query
/// rules (at most five connections, nested at most two deep, no top-level
/// `node`/`nodes`; <https://shopify.dev/docs/api/usage/bulk-operations/queries>;
/// and, as a live store answers, no connection inside a list field such as
/// `Order.refunds`, and `edges { node }` rather than `nodes`), as the simulated
/// Shopify checks them.
#[test]
fn the_bulk_orders_query_follows_the_bulk_rules() {
    let search = "processed_at:>='2026-02-28T23:00:00Z' processed_at:<'2026-03-31T22:00:00Z'";
    let query = shopify_bookkeeping::bulk::bulk_orders_query(search);
    if let Err(e) = ExecutableDocument::parse_and_validate(schema(), query.as_str(), "bulk.graphql")
    {
        panic!(
            "the bulk orders query is not valid for 2026-01:\n{}",
            e.errors
        );
    }
    assert_eq!(
        provider_sandbox::shopify_bulk::check_bulk_query(&query),
        Ok(search.to_owned())
    );
}

/// The typed fields of an order stand on the published schema, not on our
/// sandbox: `Order.currencyCode` is a `CurrencyCode`,
/// `MailingAddress.countryCodeV2` a `CountryCode`, whose
/// every value is two letters (read as a `bookkeeping_core::CountryCode`),
/// and `PurchasingEntity` is the union of `Customer` and `PurchasingCompany`
/// (the known members of `models::PurchasingEntityType`).
#[test]
fn the_typed_order_fields_follow_the_schema() {
    use apollo_compiler::schema::ExtendedType;
    let schema = schema();
    let field_type = |object: &str, field: &str| -> String {
        let Some(ExtendedType::Object(o)) = schema.types.get(object) else {
            panic!("no object {object}");
        };
        o.fields[field].ty.inner_named_type().to_string()
    };
    assert_eq!(field_type("Order", "currencyCode"), "CurrencyCode");
    assert_eq!(field_type("MailingAddress", "countryCodeV2"), "CountryCode");

    let Some(ExtendedType::Enum(countries)) = schema.types.get("CountryCode") else {
        panic!("no enum CountryCode");
    };
    assert!(countries.values.len() > 200);
    for value in countries.values.keys() {
        let code = bookkeeping_core::CountryCode::new(value.as_str())
            .unwrap_or_else(|e| panic!("{value}: {e}"));
        assert_eq!(code.as_str(), value.as_str());
    }
    let Some(ExtendedType::Enum(currencies)) = schema.types.get("CurrencyCode") else {
        panic!("no enum CurrencyCode");
    };
    // Every value a `Currency` reads but `USDC` ("United States Dollars
    // Coin"), the one code of four letters: a customer's currency may be it
    // (`presentmentCurrencyCode`, which bookkeeping does not select), the
    // books' cannot (every `shopMoney` is a `Currency`).
    let usdc: Vec<&str> = currencies
        .values
        .keys()
        .map(|v| v.as_str())
        .filter(|v| v.len() != 3)
        .collect();
    assert_eq!(usdc, ["USDC"]);
    for value in currencies.values.keys().filter(|v| v.len() == 3) {
        let currency = bookkeeping_core::Currency::new(value.as_str())
            .unwrap_or_else(|e| panic!("{value}: {e}"));
        assert_eq!(currency.code(), value.as_str());
    }

    let Some(ExtendedType::Union(entity)) = schema.types.get("PurchasingEntity") else {
        panic!("no union PurchasingEntity");
    };
    let members: Vec<&str> = entity.members.iter().map(|m| m.as_str()).collect();
    assert_eq!(members, ["Customer", "PurchasingCompany"]);
    for member in members {
        let read: shopify_bookkeeping::models::PurchasingEntityType =
            serde_json::from_value(serde_json::Value::from(member)).unwrap();
        assert!(!read.to_string().is_empty() && !format!("{read:?}").contains("Unknown"));
    }
}
