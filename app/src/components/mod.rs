//! Small pieces several pages share: the form kit, notices, and the table of what a payment
//! pays.

mod form;
mod notice;
mod pay_lines;

pub use form::{
    AuthorizeBox, Choice, FieldMessage, FormMessage, RadioGroup, TextField, action_result, choices,
    field_message, is_first_refused,
};
pub use notice::{ErrorNotice, NotFound};
pub use pay_lines::{PayLine, PayLinesTable};
