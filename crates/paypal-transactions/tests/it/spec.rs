//! The official OpenAPI description has every parameter and field this crate relies on.

use serde_json::Value;

use crate::common::fixture;

/// A parameter's name, following `$ref` into `components.parameters`.
fn param_name<'a>(spec: &'a Value, p: &'a Value) -> Option<&'a str> {
    match p["$ref"].as_str() {
        Some(r) => {
            let key = r.rsplit('/').next()?;
            spec["components"]["parameters"][key]["name"].as_str()
        }
        None => p["name"].as_str(),
    }
}

#[test]
fn the_spec_has_the_parameters_and_fields_used() {
    let spec = fixture("reporting_transactions_v1.json");
    let params: Vec<&str> = spec["paths"]["/v1/reporting/transactions"]["get"]["parameters"]
        .as_array()
        .expect("parameters")
        .iter()
        .filter_map(|p| param_name(&spec, p))
        .collect();
    for p in [
        "start_date",
        "end_date",
        "fields",
        "balance_affecting_records_only",
        "page_size",
        "page",
    ] {
        assert!(
            params.contains(&p),
            "transactions parameter {p} not in the spec"
        );
    }
    let schemas = &spec["components"]["schemas"];
    let info = &schemas["transaction_info"]["properties"];
    for f in [
        "transaction_id",
        "paypal_account_id",
        "paypal_reference_id",
        "paypal_reference_id_type",
        "transaction_event_code",
        "transaction_initiation_date",
        "transaction_updated_date",
        "transaction_amount",
        "fee_amount",
        "insurance_amount",
        "shipping_amount",
        "transaction_status",
        "transaction_subject",
        "invoice_id",
        "custom_field",
        "bank_reference_id",
        "ending_balance",
        "available_balance",
    ] {
        assert!(
            info.get(f).is_some(),
            "transaction_info.{f} not in the spec"
        );
    }
    for f in [
        "last_refreshed_datetime",
        "total_pages",
        "total_items",
        "page",
    ] {
        assert!(
            schemas["search_response"]["properties"].get(f).is_some(),
            "{f}"
        );
    }
    for f in [
        "currency",
        "total_balance",
        "available_balance",
        "withheld_balance",
    ] {
        assert!(
            schemas["balance_detail"]["properties"].get(f).is_some(),
            "{f}"
        );
    }
    let balance_params: Vec<&str> = spec["paths"]["/v1/reporting/balances"]["get"]["parameters"]
        .as_array()
        .expect("parameters")
        .iter()
        .filter_map(|p| param_name(&spec, p))
        .collect();
    assert!(balance_params.contains(&"as_of_time"));
}
