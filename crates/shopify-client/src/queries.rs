//! The GraphQL documents the client sends. Every one is validated against
//! Shopify's complete 2026-01 schema in the crate's tests.

/// Orders matching a search query, with everything bookkeeping needs.
///
/// Variables: `$first` (page size), `$after` (cursor), `$query` (search
/// syntax, e.g. `processed_at:>='2026-02-28T23:00:00Z'`), `$sortKey`.
pub const ORDERS: &str = r#"query KassabokOrders($first: Int!, $after: String, $query: String, $sortKey: OrderSortKeys!) {
  orders(first: $first, after: $after, query: $query, sortKey: $sortKey) {
    pageInfo { hasNextPage endCursor }
    nodes {
      id legacyResourceId name createdAt processedAt updatedAt cancelledAt test
      currencyCode presentmentCurrencyCode taxesIncluded taxExempt
      displayFinancialStatus paymentGatewayNames discountCodes
      totalPriceSet { ...Bag }
      subtotalPriceSet { ...Bag }
      totalTaxSet { ...Bag }
      totalDiscountsSet { ...Bag }
      totalShippingPriceSet { ...Bag }
      totalTipReceivedSet { ...Bag }
      totalRefundedSet { ...Bag }
      taxLines { ...Tax }
      billingAddress { countryCodeV2 }
      shippingAddress { countryCodeV2 }
      purchasingEntity {
        __typename
        ... on PurchasingCompany { location { taxSettings { taxRegistrationId taxExempt } } }
      }
      customAttributes { key value }
      lineItems(first: 100) {
        pageInfo { hasNextPage endCursor }
        nodes {
          id name sku quantity taxable isGiftCard
          originalTotalSet { ...Bag }
          totalDiscountSet { ...Bag }
          taxLines { ...Tax }
        }
      }
      shippingLines(first: 10, includeRemovals: true) {
        pageInfo { hasNextPage endCursor }
        nodes {
          id title isRemoved
          originalPriceSet { ...Bag }
          discountedPriceSet { ...Bag }
          taxLines { ...Tax }
        }
      }
      refunds(first: 20) {
        id createdAt processedAt note
        totalRefundedSet { ...Bag }
        refundLineItems(first: 50) {
          pageInfo { hasNextPage endCursor }
          nodes {
            id quantity
            subtotalSet { ...Bag }
            totalTaxSet { ...Bag }
            lineItem { id name isGiftCard taxLines { ...Tax } }
          }
        }
        refundShippingLines(first: 10) {
          pageInfo { hasNextPage endCursor }
          nodes {
            id
            subtotalAmountSet { ...Bag }
            taxAmountSet { ...Bag }
            shippingLine { title taxLines { ...Tax } }
          }
        }
        orderAdjustments(first: 10) {
          pageInfo { hasNextPage endCursor }
          nodes { id reason amountSet { ...Bag } taxAmountSet { ...Bag } }
        }
        transactions(first: 10) {
          pageInfo { hasNextPage endCursor }
          nodes { ...Txn }
        }
      }
      transactions(first: 30) { ...Txn }
    }
  }
}

fragment Money on MoneyV2 { amount currencyCode }
fragment Bag on MoneyBag { shopMoney { ...Money } presentmentMoney { ...Money } }
fragment Tax on TaxLine { title rate ratePercentage channelLiable priceSet { ...Bag } }
fragment Txn on OrderTransaction {
  id kind status gateway formattedGateway processedAt test paymentId
  amountSet { ...Bag }
  fees { type amount { ...Money } taxAmount { ...Money } }
}
"#;

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

/// Shopify Payments disputes matching a search query (`status:lost`; the
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
        order { id name }
      }
    }
  }
}
"#;

/// Every document, by name, for tests and tools.
pub const ALL: &[(&str, &str)] = &[
    ("orders", ORDERS),
    ("payouts", PAYOUTS),
    ("balance_transactions", BALANCE_TRANSACTIONS),
    ("disputes", DISPUTES),
];
