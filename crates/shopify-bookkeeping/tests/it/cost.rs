//! What each query asks of Shopify's cost budget, at the page sizes the
//! client sends: never above the 1000 points of a single query, so the first
//! request of a listing is never refused (`MAX_COST_EXCEEDED`).
//!
//! The cost is counted by `provider_sandbox::shopify_cost` (the simulated
//! Shopify counts the same way): Shopify's published rules ("GraphQL Admin
//! API rate limits", <https://shopify.dev/docs/api/usage/limits#cost-calculation>)
//! with the logarithmic connection sizes and free money objects reproduced
//! there from costs recorded at a live store.

use provider_sandbox::shopify_cost::{MAX_QUERY_COST, requested_cost};
use serde_json::json;
use shopify_bookkeeping::queries;

#[test]
fn every_query_fits_shopifys_single_query_limit_at_the_sizes_sent() {
    let mut report = Vec::new();
    for (name, query, first) in queries::PAGE_SIZES {
        let vars = json!({ "first": first, "after": null, "query": "", "sortKey": "PROCESSED_AT" });
        let cost = requested_cost(query, &vars).unwrap_or_else(|e| panic!("{name}: {e}"));
        report.push(format!(
            "{name:<28} first: {first:>3}  requested cost {cost:>4}"
        ));
        assert!(
            cost <= MAX_QUERY_COST,
            "{name} at first: {first} costs {cost}"
        );
        // One more per page would no longer fit, or the page is Shopify's largest.
        let more = requested_cost(query, &json!({ "first": first + 1 })).unwrap();
        assert!(
            more > MAX_QUERY_COST || *first == shopify_bookkeeping::MAX_PAGE_SIZE,
            "{name}: first: {} would still fit ({more})",
            first + 1
        );
    }
    // The documents that are not paged, with the most they are sent with.
    let ids: Vec<String> = (0..queries::NODES_PER_QUERY)
        .map(|i| format!("gid://shopify/Order/{i}"))
        .collect();
    let bulk =
        shopify_bookkeeping::bulk::bulk_orders_query("processed_at:>='2026-02-28T23:00:00Z'");
    let others = [
        (
            "refunds_of_orders (250 ids)",
            queries::REFUNDS_OF_ORDERS,
            json!({ "ids": ids }),
        ),
        (
            "refund_details (250 ids)",
            queries::REFUND_DETAILS,
            json!({ "ids": ids }),
        ),
        (
            "order (of a lost dispute)",
            queries::ORDER,
            json!({ "id": "gid://shopify/Order/1" }),
        ),
        (
            "orders_count",
            queries::ORDERS_COUNT,
            json!({ "query": "", "limit": 10_001 }),
        ),
        (
            "bulk_run_query",
            queries::BULK_RUN_QUERY,
            json!({ "query": bulk }),
        ),
        (
            "bulk_operation",
            queries::BULK_OPERATION,
            json!({ "id": "gid://shopify/BulkOperation/1" }),
        ),
        ("bulk_queries", queries::BULK_QUERIES, json!({})),
    ];
    for (name, query, vars) in others {
        let cost = requested_cost(query, &vars).unwrap_or_else(|e| panic!("{name}: {e}"));
        report.push(format!("{name:<28}             requested cost {cost:>4}"));
        assert!(cost <= MAX_QUERY_COST, "{name} costs {cost}");
    }
    println!("{}", report.join("\n"));
}
