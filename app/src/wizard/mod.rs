//! The customer's payment wizard, one file per step: the component and its server function.

pub mod billing_link;
