//! The GraphQL documents the client sends. Every one is validated against
//! Shopify's complete 2026-01 schema in the crate's tests.

// The selections of nested nodes, shared by the orders query and the
// follow-up queries that fetch a nested connection's further pages. Macros,
// not consts, so `concat!` can put into each document only the fragments it
// uses (an unused fragment is a validation error).
macro_rules! bag_fragments {
    () => {
        "fragment Money on MoneyV2 { amount currencyCode }
fragment Bag on MoneyBag { shopMoney { ...Money } }
"
    };
}
macro_rules! money_fragments {
    () => {
        concat!(
            bag_fragments!(),
            "fragment Tax on TaxLine { title rate ratePercentage channelLiable priceSet { ...Bag } }
"
        )
    };
}
/// A follow-up query: the next page of connection `$conn` of the object
/// `$root(id: $id)`, its nodes selected by fragment `$fields` (defined with
/// the fragments named last).
macro_rules! follow_up {
    ($name:literal, $root:literal, $conn:literal, $extra:literal, $fields:literal, $($fragment:ident),+) => {
        concat!(
            "query ", $name, "($id: ID!, $first: Int!, $after: String) {
  ", $root, "(id: $id) {
    ", $conn, "(first: $first, after: $after", $extra, ") {
      pageInfo { hasNextPage endCursor }
      nodes { ...", $fields, " }
    }
  }
}

",
            $($fragment!()),+
        )
    };
}
macro_rules! txn_fragment {
    () => {
        "fragment Txn on OrderTransaction {
  id kind status gateway processedAt test
  amountSet { ...Bag }
}
"
    };
}
macro_rules! order_fragment {
    () => {
        "fragment OrderFields on Order {
  id name createdAt processedAt updatedAt cancelledAt test edited
  currencyCode taxesIncluded taxExempt displayFinancialStatus
  totalPriceSet { ...Bag }
  totalTaxSet { ...Bag }
  totalTipReceivedSet { ...Bag }
  taxLines { ...Tax }
  billingAddress { countryCodeV2 }
  shippingAddress { countryCodeV2 }
  purchasingEntity {
    __typename
    ... on PurchasingCompany { location { taxSettings { taxRegistrationId taxExempt } } }
  }
  customAttributes { key value }
}
"
    };
}
macro_rules! line_item_fragment {
    () => {
        "fragment LineItemFields on LineItem {
  id name quantity currentQuantity taxable isGiftCard
  originalTotalSet { ...Bag }
  discountAllocations { allocatedAmountSet { ...Bag } }
  taxLines { ...Tax }
}
"
    };
}
macro_rules! shipping_line_fragment {
    () => {
        "fragment ShippingLineFields on ShippingLine {
  id title isRemoved
  discountedPriceSet { ...Bag }
  taxLines { ...Tax }
}
"
    };
}
macro_rules! refund_line_item_fragment {
    () => {
        "fragment RefundLineItemFields on RefundLineItem {
  id quantity
  subtotalSet { ...Bag }
  totalTaxSet { ...Bag }
  lineItem { id name isGiftCard taxLines { ...Tax } }
}
"
    };
}
macro_rules! refund_shipping_line_fragment {
    () => {
        "fragment RefundShippingLineFields on RefundShippingLine {
  id
  subtotalAmountSet { ...Bag }
  taxAmountSet { ...Bag }
  shippingLine { title taxLines { ...Tax } }
}
"
    };
}
macro_rules! order_adjustment_fragment {
    () => {
        "fragment OrderAdjustmentFields on OrderAdjustment { id reason amountSet { ...Bag } taxAmountSet { ...Bag } }
"
    };
}

/// Everything an order is read with (inside `orders { nodes { … } }` and
/// `order(id:) { … }`), so both documents normalize the same order alike.
macro_rules! order_selection {
    () => {
        r#"      ...OrderFields
      lineItems(first: 100) {
        pageInfo { hasNextPage endCursor }
        nodes { ...LineItemFields }
      }
      shippingLines(first: 5, includeRemovals: true) {
        pageInfo { hasNextPage endCursor }
        nodes { ...ShippingLineFields }
      }
      refunds {
        id createdAt processedAt
        totalRefundedSet { ...Bag }
        refundLineItems(first: 20) {
          pageInfo { hasNextPage endCursor }
          nodes { ...RefundLineItemFields }
        }
        refundShippingLines(first: 5) {
          pageInfo { hasNextPage endCursor }
          nodes { ...RefundShippingLineFields }
        }
        orderAdjustments(first: 5) {
          pageInfo { hasNextPage endCursor }
          nodes { ...OrderAdjustmentFields }
        }
        transactions(first: 5) {
          pageInfo { hasNextPage endCursor }
          nodes { ...Txn }
        }
      }
      transactions { ...Txn }
"#
    };
}

/// The fragments [`order_selection`] uses.
macro_rules! order_selection_fragments {
    () => {
        concat!(
            bulk_order_fragments!(),
            refund_line_item_fragment!(),
            refund_shipping_line_fragment!(),
            order_adjustment_fragment!(),
        )
    };
}
/// The fragments the orders bulk query uses: the order's, without the
/// refunds' connections (fetched apart, [`REFUND_DETAILS`]).
macro_rules! bulk_order_fragments {
    () => {
        concat!(
            money_fragments!(),
            order_fragment!(),
            txn_fragment!(),
            line_item_fragment!(),
            shipping_line_fragment!(),
        )
    };
}

/// Orders matching a search query, with everything bookkeeping needs.
///
/// Variables: `$first` (page size), `$after` (cursor), `$query` (search
/// syntax, e.g. `processed_at:>='2026-02-28T23:00:00Z'`), `$sortKey`.
///
/// `refunds` and `transactions` are lists, asked for whole (without
/// `first`): Shopify counts a list once, not per element. The connections
/// inside an order are paged: when one has more than a page, the client
/// fetches the rest with the follow-up queries below ([`ORDER_LINE_ITEMS`]
/// and the others).
pub const ORDERS: &str = concat!(
    r#"query KassabokOrders($first: Int!, $after: String, $query: String, $sortKey: OrderSortKeys!) {
  orders(first: $first, after: $after, query: $query, sortKey: $sortKey) {
    pageInfo { hasNextPage endCursor }
    nodes {
"#,
    order_selection!(),
    r#"    }
  }
}

"#,
    order_selection_fragments!(),
);

/// One order by its GID, with the same selection as [`ORDERS`] (its further
/// nested pages are fetched with the same follow-up queries):
/// `QueryRoot.order(id: ID!): Order`, nullable ("retrieves an order by its
/// ID", admin-graphql-2026-01.schema.graphql; orders older than 60 days need
/// the `read_all_orders` scope). Used for the order of a dispute lost in the
/// period ([`crate::ShopifyClient::lost_disputes`]). Variables: `$id`.
pub const ORDER: &str = concat!(
    r#"query KassabokOrder($id: ID!) {
  order(id: $id) {
"#,
    order_selection!(),
    r#"  }
}

"#,
    order_selection_fragments!(),
);

/// Further line items of one order. Variables: `$id` (the order's GID),
/// `$first`, `$after`.
pub const ORDER_LINE_ITEMS: &str = follow_up!(
    "KassabokOrderLineItems",
    "order",
    "lineItems",
    "",
    "LineItemFields",
    money_fragments,
    line_item_fragment
);

/// Further shipping lines of one order (removed ones included).
/// Variables: `$id`, `$first`, `$after`.
pub const ORDER_SHIPPING_LINES: &str = follow_up!(
    "KassabokOrderShippingLines",
    "order",
    "shippingLines",
    ", includeRemovals: true",
    "ShippingLineFields",
    money_fragments,
    shipping_line_fragment
);

/// Further refunded line items of one refund. Variables: `$id` (the
/// refund's GID), `$first`, `$after`.
pub const REFUND_LINE_ITEMS: &str = follow_up!(
    "KassabokRefundLineItems",
    "refund",
    "refundLineItems",
    "",
    "RefundLineItemFields",
    money_fragments,
    refund_line_item_fragment
);

/// Further refunded shipping lines of one refund. Variables: `$id`,
/// `$first`, `$after`.
pub const REFUND_SHIPPING_LINES: &str = follow_up!(
    "KassabokRefundShippingLines",
    "refund",
    "refundShippingLines",
    "",
    "RefundShippingLineFields",
    money_fragments,
    refund_shipping_line_fragment
);

/// Further order adjustments of one refund. Variables: `$id`, `$first`,
/// `$after`.
pub const REFUND_ORDER_ADJUSTMENTS: &str = follow_up!(
    "KassabokRefundOrderAdjustments",
    "refund",
    "orderAdjustments",
    "",
    "OrderAdjustmentFields",
    bag_fragments,
    order_adjustment_fragment
);

/// Further transactions of one refund. Variables: `$id`, `$first`, `$after`.
pub const REFUND_TRANSACTIONS: &str = follow_up!(
    "KassabokRefundTransactions",
    "refund",
    "transactions",
    "",
    "Txn",
    bag_fragments,
    txn_fragment
);

/// Shopify Payments payouts matching a search query.
///
/// Variables: `$first`, `$after`, `$query` (e.g. `issued_at:>='…'`).
pub const PAYOUTS: &str = r#"query KassabokPayouts($first: Int!, $after: String, $query: String) {
  shopifyPaymentsAccount {
    payouts(first: $first, after: $after, query: $query, sortKey: ISSUED_AT) {
      pageInfo { hasNextPage endCursor }
      nodes {
        id legacyResourceId issuedAt status transactionType externalTraceId
        net { ...Money }
        summary {
          adjustmentsFee { ...Money } adjustmentsGross { ...Money }
          advanceFees { ...Money } advanceGross { ...Money }
          chargesFee { ...Money } chargesGross { ...Money }
          refundsFee { ...Money } refundsFeeGross { ...Money }
          reservedFundsFee { ...Money } reservedFundsGross { ...Money }
          retriedPayoutsFee { ...Money } retriedPayoutsGross { ...Money }
        }
      }
    }
  }
}

fragment Money on MoneyV2 { amount currencyCode }
"#;

/// The balance transactions of one payout (transfers hidden: the payout
/// itself is not one of its lines).
///
/// Variables: `$first`, `$after`, `$query` (`payments_transfer_id:<payout legacy id>`).
pub const BALANCE_TRANSACTIONS: &str = r#"query KassabokBalanceTransactions($first: Int!, $after: String, $query: String) {
  shopifyPaymentsAccount {
    balanceTransactions(first: $first, after: $after, query: $query, hideTransfers: true, sortKey: PROCESSED_AT) {
      pageInfo { hasNextPage endCursor }
      nodes {
        id type sourceType test transactionDate adjustmentReason sourceId sourceOrderTransactionId
        amount { ...Money }
        fee { ...Money }
        net { ...Money }
        associatedOrder { id name }
        associatedPayout { id status }
      }
    }
  }
}

fragment Money on MoneyV2 { amount currencyCode }
"#;

/// The orders bulk query (see [`crate::bulk`]): `$search` is replaced by the
/// quoted search string ([`crate::bulk::bulk_orders_query`]), since a bulk
/// query takes no variables. Three connections (orders, their line items and
/// shipping lines; Shopify allows five, nested at most two deep); nested
/// nodes carry `__typename` so the JSONL lines can be told apart.
///
/// An order's `refunds` is a list (`[Refund!]!`), and Shopify refuses a bulk
/// query with a connection inside a list: "Queries that contain a connection
/// field within a list field are not currently supported." (`userErrors`,
/// code `INVALID`, of `bulkOperationRunQuery` at a live 2026-04 store:
/// airhorns/shopify-draft-proxy, `fixtures/conformance/…/bulk-operations/
/// bulk-operation-run-query-validators.json`, case `connectionWithinList`).
/// So the refunds come here without their connections, and their refunded
/// lines, transactions, refunded shipping and adjustments are fetched with
/// [`REFUND_DETAILS`], 250 refunds at a time.
pub const BULK_ORDERS: &str = concat!(
    r#"query KassabokBulkOrders {
  orders(query: $search, sortKey: PROCESSED_AT) {
    edges {
      node {
        ...OrderFields
        lineItems { edges { node { __typename ...LineItemFields } } }
        shippingLines(includeRemovals: true) { edges { node { __typename ...ShippingLineFields } } }
        refunds {
          id createdAt processedAt
          totalRefundedSet { ...Bag }
        }
        transactions { ...Txn }
      }
    }
  }
}

"#,
    bulk_order_fragments!(),
);

/// The refunded lines, transactions, refunded shipping and adjustments of up
/// to [`NODES_PER_QUERY`] refunds at once, which the orders bulk query
/// cannot hold (no connection inside the `refunds` list). Variables: `$ids`
/// (refund GIDs).
pub const REFUND_DETAILS: &str = concat!(
    r#"query KassabokRefundDetails($ids: [ID!]!) {
  nodes(ids: $ids) {
    ... on Refund {
      id
      refundLineItems(first: 20) {
        pageInfo { hasNextPage endCursor }
        nodes { ...RefundLineItemFields }
      }
      transactions(first: 10) {
        pageInfo { hasNextPage endCursor }
        nodes { ...Txn }
      }
      refundShippingLines(first: 10) {
        pageInfo { hasNextPage endCursor }
        nodes { ...RefundShippingLineFields }
      }
      orderAdjustments(first: 10) {
        pageInfo { hasNextPage endCursor }
        nodes { ...OrderAdjustmentFields }
      }
    }
  }
}

"#,
    money_fragments!(),
    txn_fragment!(),
    refund_line_item_fragment!(),
    refund_shipping_line_fragment!(),
    order_adjustment_fragment!(),
);

/// Starts a bulk query. Variables: `$query` (the bulk query document).
pub const BULK_RUN_QUERY: &str = r#"mutation KassabokBulkRun($query: String!) {
  bulkOperationRunQuery(query: $query) {
    bulkOperation { id status errorCode objectCount url partialDataUrl }
    userErrors { field message code }
  }
}
"#;

/// A bulk operation's state. Variables: `$id`.
pub const BULK_OPERATION: &str = r#"query KassabokBulkOperation($id: ID!) {
  bulkOperation(id: $id) { id status errorCode objectCount url partialDataUrl }
}
"#;

/// The app's ten newest bulk query operations with their query text
/// (`QueryRoot.bulkOperations`, "Returns the app's bulk operations meeting
/// the specified filters. Defaults to sorting by created_at, with newest
/// operations first"; `BulkOperation.query`, 2026-01 schema): the operation
/// a `bulkOperationRunQuery` started when its answer was lost and the
/// retry was refused (`OPERATION_IN_PROGRESS` or `LIMIT_REACHED`).
pub const BULK_QUERIES: &str = r#"query KassabokBulkQueries {
  bulkOperations(first: 10, query: "operation_type:query") {
    nodes { id status query }
  }
}
"#;

/// How many orders a period holds (to choose bulk or paged listing).
/// Variables: `$query`, `$limit` (Shopify counts up to it and then answers
/// `precision: AT_LEAST`).
pub const ORDERS_COUNT: &str = r#"query KassabokOrdersCount($query: String, $limit: Int) {
  ordersCount(query: $query, limit: $limit) { count precision }
}
"#;

/// The access scopes the shop granted this app (`QueryRoot.currentAppInstallation`,
/// `AppInstallation.accessScopes`, `AccessScope.handle` in the 2026-01 schema): without
/// `read_all_orders`, "Only the last 60 days' worth of orders from a store are accessible
/// from the `Order` object" (the schema's `Order` description), and an older order is left
/// out of every listing without a word.
pub const ACCESS_SCOPES: &str = r#"query KassabokAccessScopes {
  currentAppInstallation { accessScopes { handle } }
}
"#;

/// The orders with an order name (`$query` is `name:'#1007'`; the `name`
/// filter of `QueryRoot.orders`, "Filter by the order `name` field", in the
/// 2026-01 schema), or with one of several joined by `OR` (`name:'#1007' OR
/// name:'#1008'`: "Connective = AND | OR", Shopify's API search syntax,
/// shopify.dev/docs/api/usage/search-syntax): finds the orders another
/// provider names by the shop's order number (Klarna's
/// `merchant_reference1`), and tells one from several. Variables: `$first`,
/// `$query`.
pub const ORDERS_BY_NAME: &str = r#"query KassabokOrdersByName($first: Int!, $query: String) {
  orders(first: $first, query: $query) {
    pageInfo { hasNextPage }
    nodes { id name }
  }
}
"#;

/// Shopify Payments disputes matching a search query (`status:lost`,
/// `status:accepted`; the
/// connection filters by `id`, `initiated_at` and `status` only, so the
/// decision date `finalizedOn` is checked by the client).
///
/// Variables: `$first`, `$after`, `$query`.
pub const DISPUTES: &str = r#"query KassabokDisputes($first: Int!, $after: String, $query: String) {
  shopifyPaymentsAccount {
    disputes(first: $first, after: $after, query: $query) {
      pageInfo { hasNextPage endCursor }
      nodes {
        id status finalizedOn initiatedAt
        amount { amount currencyCode }
        order { id name processedAt }
      }
    }
  }
}
"#;

/// The refunds of some orders with the ids of their transactions: joins a
/// payout's `REFUND` balance transactions (`sourceOrderTransactionId`, the
/// order transaction behind it) to the refund they settle. Variables: `$ids`
/// (order GIDs, at most [`NODES_PER_QUERY`]).
pub const REFUNDS_OF_ORDERS: &str = r#"query KassabokRefundsOfOrders($ids: [ID!]!) {
  nodes(ids: $ids) {
    ... on Order {
      id
      refunds { id transactions(first: 10) { nodes { id } } }
    }
  }
}
"#;

/// Ids per `nodes(ids:)` query (Shopify's input arrays hold at most 250).
pub const NODES_PER_QUERY: usize = 250;

/// Orders per page: Shopify's largest page, whose requested cost fits the
/// single-query limit of 1000 points (the crate's tests print the costs).
pub const ORDERS_PAGE_SIZE: u32 = 250;

/// Payouts per page (Shopify's largest page fits the cost limit).
pub const PAYOUTS_PAGE_SIZE: u32 = 250;

/// Balance transactions per page (Shopify's largest page fits the cost limit).
pub const BALANCE_TRANSACTIONS_PAGE_SIZE: u32 = 250;

/// Nested items per follow-up page (Shopify's largest page; each
/// follow-up document fits the cost limit at it).
pub const FOLLOW_UP_PAGE_SIZE: u32 = 250;

/// Every paged document with the page size the client sends (`$first`).
pub const PAGE_SIZES: &[(&str, &str, u32)] = &[
    ("orders", ORDERS, ORDERS_PAGE_SIZE),
    ("order_line_items", ORDER_LINE_ITEMS, FOLLOW_UP_PAGE_SIZE),
    (
        "order_shipping_lines",
        ORDER_SHIPPING_LINES,
        FOLLOW_UP_PAGE_SIZE,
    ),
    ("refund_line_items", REFUND_LINE_ITEMS, FOLLOW_UP_PAGE_SIZE),
    (
        "refund_shipping_lines",
        REFUND_SHIPPING_LINES,
        FOLLOW_UP_PAGE_SIZE,
    ),
    (
        "refund_order_adjustments",
        REFUND_ORDER_ADJUSTMENTS,
        FOLLOW_UP_PAGE_SIZE,
    ),
    (
        "refund_transactions",
        REFUND_TRANSACTIONS,
        FOLLOW_UP_PAGE_SIZE,
    ),
    ("payouts", PAYOUTS, PAYOUTS_PAGE_SIZE),
    (
        "balance_transactions",
        BALANCE_TRANSACTIONS,
        BALANCE_TRANSACTIONS_PAGE_SIZE,
    ),
    ("disputes", DISPUTES, PAYOUTS_PAGE_SIZE),
];

/// Every document, by name, for tests and tools.
pub const ALL: &[(&str, &str)] = &[
    ("orders", ORDERS),
    ("order", ORDER),
    ("order_line_items", ORDER_LINE_ITEMS),
    ("order_shipping_lines", ORDER_SHIPPING_LINES),
    ("refund_line_items", REFUND_LINE_ITEMS),
    ("refund_shipping_lines", REFUND_SHIPPING_LINES),
    ("refund_order_adjustments", REFUND_ORDER_ADJUSTMENTS),
    ("refund_transactions", REFUND_TRANSACTIONS),
    ("refunds_of_orders", REFUNDS_OF_ORDERS),
    ("refund_details", REFUND_DETAILS),
    ("bulk_run_query", BULK_RUN_QUERY),
    ("bulk_operation", BULK_OPERATION),
    ("bulk_queries", BULK_QUERIES),
    ("orders_count", ORDERS_COUNT),
    ("access_scopes", ACCESS_SCOPES),
    ("orders_by_name", ORDERS_BY_NAME),
    ("payouts", PAYOUTS),
    ("balance_transactions", BALANCE_TRANSACTIONS),
    ("disputes", DISPUTES),
];
