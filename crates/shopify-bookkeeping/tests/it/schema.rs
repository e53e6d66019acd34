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

/// The fields of a selection set as GraphQL executes it: each response key
/// once, in the order it is first selected, fragments spread where they
/// stand (the specification's `CollectFields`), with the selection sets of
/// every field of that key.
fn collect_fields<'a>(
    doc: &'a ExecutableDocument,
    set: &'a apollo_compiler::executable::SelectionSet,
    out: &mut Vec<(String, Vec<&'a apollo_compiler::executable::SelectionSet>)>,
) {
    use apollo_compiler::executable::Selection;
    for selection in &set.selections {
        match selection {
            Selection::Field(field) => {
                let key = field.response_key().to_string();
                match out.iter_mut().find(|(k, _)| *k == key) {
                    Some((_, sets)) => sets.push(&field.selection_set),
                    None => out.push((key, vec![&field.selection_set])),
                }
            }
            Selection::FragmentSpread(spread) => {
                collect_fields(
                    doc,
                    &doc.fragments[&spread.fragment_name].selection_set,
                    out,
                );
            }
            Selection::InlineFragment(inline) => collect_fields(doc, &inline.selection_set, out),
        }
    }
}

/// Each model of an order lists its keys in the order the orders query
/// selects them: the order in which GraphQL writes an object's fields
/// ("Serialized Map Ordering": a result map is written "in the same order as
/// those fields were requested as defined by selection set execution";
/// <https://spec.graphql.org/October2021/#sec-Serialized-Map-Ordering>), so
/// that the scanner finds each key of a Shopify answer with one comparison
/// (`provider_http::fields::Keys`).
#[test]
fn the_order_models_list_their_keys_in_the_querys_order() {
    use provider_http::fields::Keys;
    use shopify_bookkeeping::models::*;
    let models: &[(&str, &[&[u8]])] = &[
        ("Order", Order::KEYS),
        ("Order.totalPriceSet", MoneyBag::KEYS),
        ("Order.totalPriceSet.shopMoney", MoneyV2::KEYS),
        ("Order.taxLines", TaxLine::KEYS),
        ("Order.billingAddress", MailingAddress::KEYS),
        ("Order.purchasingEntity", PurchasingEntity::KEYS),
        ("Order.purchasingEntity.location", CompanyLocation::KEYS),
        (
            "Order.purchasingEntity.location.taxSettings",
            CompanyTaxSettings::KEYS,
        ),
        ("Order.customAttributes", Attribute::KEYS),
        ("Order.lineItems.nodes", LineItem::KEYS),
        (
            "Order.lineItems.nodes.discountAllocations",
            DiscountAllocation::KEYS,
        ),
        ("Order.shippingLines.nodes", ShippingLine::KEYS),
        ("Order.refunds", Refund::KEYS),
        ("Order.refunds.refundLineItems.nodes", RefundLineItem::KEYS),
        (
            "Order.refunds.refundLineItems.nodes.lineItem",
            RefundedLineItem::KEYS,
        ),
        (
            "Order.refunds.refundShippingLines.nodes",
            RefundShippingLine::KEYS,
        ),
        (
            "Order.refunds.refundShippingLines.nodes.shippingLine",
            RefundedShippingLine::KEYS,
        ),
        (
            "Order.refunds.orderAdjustments.nodes",
            OrderAdjustment::KEYS,
        ),
        ("Order.refunds.transactions.nodes", OrderTransaction::KEYS),
        ("Order.transactions", OrderTransaction::KEYS),
    ];
    let doc = ExecutableDocument::parse_and_validate(
        schema(),
        shopify_bookkeeping::queries::ORDERS,
        "orders.graphql",
    )
    .unwrap();
    let operation = doc.operations.iter().next().unwrap();
    let mut orders = Vec::new();
    collect_fields(&doc, &operation.selection_set, &mut orders);
    let mut conn = Vec::new();
    collect_fields(&doc, orders[0].1[0], &mut conn);
    let nodes = &conn.iter().find(|(k, _)| k == "nodes").unwrap().1;

    let mut checked = Vec::new();
    let mut todo = vec![("Order".to_owned(), nodes.clone())];
    while let Some((path, sets)) = todo.pop() {
        let mut fields = Vec::new();
        for set in sets {
            collect_fields(&doc, set, &mut fields);
        }
        let keys: Vec<&str> = fields.iter().map(|(k, _)| k.as_str()).collect();
        if let Some((_, model)) = models.iter().find(|(p, _)| *p == path) {
            let listed: Vec<&str> = model
                .iter()
                .map(|k| std::str::from_utf8(k).unwrap())
                .collect();
            assert_eq!(listed, keys, "{path}");
            checked.push(path.clone());
        }
        for (key, sets) in fields {
            if sets.iter().any(|s| !s.selections.is_empty()) {
                todo.push((format!("{path}.{key}"), sets));
            }
        }
    }
    // Every model was reached through the query (a path that named no
    // selection would check nothing).
    for (path, _) in models {
        assert!(checked.iter().any(|c| c == path), "{path} not selected");
    }
}
