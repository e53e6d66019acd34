//! Stripe Invoicing: invoices, their lines and payments, credit notes, tax rates.

use futures::TryStreamExt;

use super::{ListStream, TimeRange, pair};
use crate::StripeClient;
use crate::error::Error;
use crate::ids::InvoiceId;
use crate::models::{
    CreditNote, CreditNoteLineItem, Invoice, InvoiceLineItem, InvoicePayment, InvoicePaymentStatus,
    InvoiceStatus, List, TaxRate,
};
use bookkeeping_core::Provider;
use provider_http::Malformed;

impl StripeClient {
    /// The invoices of one status created in `created`
    /// (`GET /v1/invoices?status=…&created[gte]=…&created[lt]=…&expand[]=data.payments`),
    /// each with the first page of its payments.
    pub fn list_invoices(&self, status: &InvoiceStatus, created: TimeRange) -> ListStream<Invoice> {
        let mut query = vec![
            pair("status", status.as_str()),
            pair("expand[]", "data.payments"),
        ];
        query.extend(created.query("created"));
        self.list("invoice", "/v1/invoices".to_owned(), query, None)
    }

    /// The invoices of every status created in `created`
    /// (`GET /v1/invoices?created[gte]=…&created[lt]=…&expand[]=data.payments`),
    /// each with the first page of its payments. Unlike one listing per
    /// status, an invoice whose status changes while this is read is listed
    /// once: the list pages by id, not by status.
    pub fn list_all_invoices(&self, created: TimeRange) -> ListStream<Invoice> {
        let mut query = vec![pair("expand[]", "data.payments")];
        query.extend(created.query("created"));
        self.list("invoice", "/v1/invoices".to_owned(), query, None)
    }

    /// The invoice payments of a status created in `created`
    /// (`GET /v1/invoice_payments?status=…&created[…]`): which PaymentIntent
    /// paid which invoice.
    pub fn list_invoice_payments(
        &self,
        status: &InvoicePaymentStatus,
        created: TimeRange,
    ) -> ListStream<InvoicePayment> {
        let mut query = vec![pair("status", status.as_str())];
        query.extend(created.query("created"));
        self.list(
            "invoice_payment",
            "/v1/invoice_payments".to_owned(),
            query,
            None,
        )
    }

    /// The credit notes created in `created`
    /// (`GET /v1/credit_notes?created[…]&expand[]=data.invoice`), each with the
    /// invoice it credits.
    pub fn list_credit_notes(&self, created: TimeRange) -> ListStream<CreditNote> {
        let mut query = vec![pair("expand[]", "data.invoice")];
        query.extend(created.query("created"));
        self.list("credit_note", "/v1/credit_notes".to_owned(), query, None)
    }

    /// Every tax rate of the account, active or not (`GET /v1/tax_rates`).
    pub fn list_tax_rates(&self) -> ListStream<TaxRate> {
        self.list("tax_rate", "/v1/tax_rates".to_owned(), Vec::new(), None)
    }

    /// All lines of an invoice: the embedded first page, and the rest from
    /// `GET /v1/invoices/{id}/lines` when it has more.
    ///
    /// # Errors
    /// A [`Error`] when a page cannot be fetched; a line that cannot be
    /// decoded is an error too, since an invoice without one of its lines
    /// must not be booked.
    pub async fn invoice_lines(&self, invoice: &Invoice) -> Result<Vec<InvoiceLineItem>, Error> {
        let path = format!("/v1/invoices/{}/lines", invoice.id);
        self.complete(&invoice.lines, "line_item", path, Vec::new(), |l| {
            l.id.as_str().to_owned()
        })
        .await
    }

    /// All payments of an invoice: the embedded first page (when listed with
    /// `expand[]=data.payments`), else or then `GET /v1/invoice_payments?invoice=…`.
    ///
    /// # Errors
    /// As [`invoice_lines`](Self::invoice_lines).
    pub async fn invoice_payments(&self, invoice: &Invoice) -> Result<Vec<InvoicePayment>, Error> {
        let query = vec![pair("invoice", invoice.id.as_str())];
        let path = "/v1/invoice_payments".to_owned();
        match &invoice.payments {
            Some(list) => {
                self.complete(list, "invoice_payment", path, query, |p| {
                    p.id.as_str().to_owned()
                })
                .await
            }
            None => collect(self.list("invoice_payment", path, query, None)).await,
        }
    }

    /// All lines of a credit note (`GET /v1/credit_notes/{id}/lines` when the
    /// embedded page has more).
    ///
    /// # Errors
    /// As [`invoice_lines`](Self::invoice_lines).
    pub async fn credit_note_lines(
        &self,
        credit_note: &CreditNote,
    ) -> Result<Vec<CreditNoteLineItem>, Error> {
        let path = format!("/v1/credit_notes/{}/lines", credit_note.id);
        self.complete(
            &credit_note.lines,
            "credit_note_line_item",
            path,
            Vec::new(),
            |l| l.id.as_str().to_owned(),
        )
        .await
    }

    /// Fetches one invoice (`GET /v1/invoices/{id}?expand[]=payments`).
    ///
    /// # Errors
    /// A [`Error`] when it cannot be fetched or decoded.
    pub async fn invoice(&self, id: &InvoiceId) -> Result<Invoice, Error> {
        let path = format!("/v1/invoices/{id}");
        let value: serde_json::Value = self
            .http
            .get_json(&path, &[("expand[]", "payments".to_owned())])
            .await?;
        Ok(Malformed::decode(
            Provider::Stripe,
            "invoice",
            &["/id"],
            value,
        )?)
    }

    async fn complete<T: super::StripeObject + Clone + Send + 'static>(
        &self,
        first: &List<T>,
        object: &'static str,
        path: String,
        query: Vec<(String, String)>,
        id: impl Fn(&T) -> String,
    ) -> Result<Vec<T>, Error> {
        let mut items = first.data.clone();
        if first.has_more {
            let after = items.last().map(&id);
            let Some(after) = after else {
                return Err(Error::Pagination {
                    path,
                    reason: "has_more is true on an empty embedded list".to_owned(),
                });
            };
            items.extend(collect(self.list(object, path, query, Some(after))).await?);
        }
        Ok(items)
    }
}

/// Collects a listing, treating an object that cannot be decoded as an error.
async fn collect<T: Send + 'static>(stream: ListStream<T>) -> Result<Vec<T>, Error> {
    stream
        .map_err(Error::from)
        .and_then(|item| async move { item.into_result().map_err(Error::from) })
        .try_collect()
        .await
}
