//! Exporting contacts: every match of a contact search, read page by page (keyset cursors)
//! so that an export of any size holds one page at a time, each contact with its customer
//! and, when asked, its photo. Writing a file format is the surfaces' part
//! (`rolodex-files`).

use crate::auth::AuthService;
use crate::caller::Caller;
use crate::contacts::ContactService;
use crate::error::CoreError;
use crate::photos::PhotoService;
use crate::ports::Store;
use crate::query::{ContactQuery, Page, PageRequest};
use crate::write::repo_error;
use rolodex_domain::{Contact, Customer, CustomerId, PhotoSize, Role};
use std::collections::HashMap;
use std::sync::Arc;

/// Contacts read from the store at a time.
pub const EXPORT_PAGE_SIZE: u32 = 1000;
/// Customers remembered between pages; past this the memory is emptied.
const CUSTOMERS_REMEMBERED: usize = 10_000;

/// One exported contact.
#[derive(Debug, Clone)]
pub struct ExportedContact {
    pub contact: Contact,
    pub customer: Arc<Customer>,
    /// The photo's original image, when the export carries photos and the contact has one.
    pub photo: Option<Vec<u8>>,
}

/// The export use case.
#[derive(Clone)]
pub struct ExportService {
    store: Arc<dyn Store>,
    contacts: ContactService,
    photos: PhotoService,
}

impl ExportService {
    pub fn new(store: Arc<dyn Store>, contacts: ContactService, photos: PhotoService) -> Self {
        Self {
            store,
            contacts,
            photos,
        }
    }

    /// Starts exporting the matches of `query` (its sort order; its page request is
    /// ignored), with their photos when `with_photos`.
    pub async fn begin(
        &self,
        caller: &Caller,
        query: &ContactQuery,
        with_photos: bool,
    ) -> Result<Export, CoreError> {
        AuthService::require(caller, Role::Viewer)?;
        let query = ContactQuery {
            page: PageRequest {
                limit: EXPORT_PAGE_SIZE,
                after: None,
            },
            ..query.clone()
        };
        // The first page is read now, so that a bad query fails before anything is sent.
        let first = self.contacts.list(caller, &query).await?;
        Ok(Export {
            service: self.clone(),
            caller: caller.clone(),
            query,
            first: Some(first),
            customers: HashMap::new(),
            with_photos,
            done: false,
        })
    }
}

/// An export under way: [`Export::next_page`] until it gives `None`.
pub struct Export {
    service: ExportService,
    caller: Caller,
    query: ContactQuery,
    first: Option<Page<Contact>>,
    customers: HashMap<CustomerId, Arc<Customer>>,
    with_photos: bool,
    done: bool,
}

impl Export {
    /// The next page of contacts, or `None` after the last.
    pub async fn next_page(&mut self) -> Result<Option<Vec<ExportedContact>>, CoreError> {
        if self.done {
            return Ok(None);
        }
        let page = match self.first.take() {
            Some(first) => first,
            None => {
                self.service
                    .contacts
                    .list(&self.caller, &self.query)
                    .await?
            }
        };
        match page.next {
            Some(next) => self.query.page.after = Some(next),
            None => self.done = true,
        }
        if self.customers.len() > CUSTOMERS_REMEMBERED {
            self.customers.clear();
        }
        let mut out = Vec::with_capacity(page.items.len());
        for contact in page.items {
            let customer = self.customer(contact.customer_id).await?;
            let photo = match (&contact.fields.photo, self.with_photos) {
                (Some(_), true) => self.photo(&contact).await?,
                _ => None,
            };
            out.push(ExportedContact {
                contact,
                customer,
                photo,
            });
        }
        Ok(Some(out))
    }

    async fn customer(&mut self, id: CustomerId) -> Result<Arc<Customer>, CoreError> {
        if let Some(customer) = self.customers.get(&id) {
            return Ok(customer.clone());
        }
        let customer = self
            .service
            .store
            .customer(self.caller.tenant_id, id)
            .await
            .map_err(repo_error("customer"))?
            .map(Arc::new)
            .ok_or(CoreError::NotFound { entity: "customer" })?;
        self.customers.insert(id, customer.clone());
        Ok(customer)
    }

    /// The contact's photo; one whose files went missing is left out, not an error.
    async fn photo(&self, contact: &Contact) -> Result<Option<Vec<u8>>, CoreError> {
        let file = self
            .service
            .photos
            .get(
                &self.caller,
                contact.customer_id,
                contact.id,
                PhotoSize::Original,
            )
            .await;
        match file {
            Ok(file) => Ok(Some(file.bytes)),
            Err(CoreError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }
}
