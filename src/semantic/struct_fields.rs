//! The field types of a file's structs, which receiver inference follows
//! (`self.state.db`), and which a package's other files may need.
use std::collections::HashMap;

use syn::Item;

use super::model::SemanticModel;
use super::FileContext;
use crate::catalog::ty::{Ty, LOCAL_TYPE_PREFIX};
use crate::catalog::Catalog;

/// Field types by struct (local type path, e.g. `local::AppState`); `None` when two
/// structs share the name, so that neither is trusted.
pub type StructFields = HashMap<String, Option<HashMap<String, Ty>>>;

/// The one field of a crate's type alias, kept among the structs: what it stands for.
pub const ALIAS_FIELD: &str = "=";

/// How a free fn's return type is kept among the structs: `local::name()`, its one
/// field (`ALIAS_FIELD`) what it returns.
pub const FN_SUFFIX: &str = "()";

/// The field types of every struct a file declares, in any of its inline modules.
pub fn struct_fields(file: &syn::File, ctx: &FileContext<'_>) -> StructFields {
    fn walk(model: &mut SemanticModel<'_, '_>, name: Option<String>, items: &[Item]) {
        model.enter_module(name, items);
        for item in items {
            if let Item::Mod(syn::ItemMod {
                content: Some((_, inner)),
                ident,
                ..
            }) = item
            {
                walk(model, Some(ident.to_string()), inner);
            }
        }
        model.scopes.pop();
    }
    let mut model = SemanticModel::new(ctx, "");
    walk(&mut model, None, &file.items);
    relevant_fields(model.struct_fields, ctx.catalog)
}

/// Keeps the fields whose type the catalogue knows or that lead to another of the
/// crate's structs (`self.state.db`); a struct left with none needs no second look.
/// Structs declared twice stay `None`.
pub fn relevant_fields(fields: StructFields, catalog: &Catalog) -> StructFields {
    let relevant = |ty: &Ty| relevant_type(ty, catalog);
    // A struct is kept even with no relevant field: a second struct of the same name
    // must still make the name ambiguous.
    fields
        .into_iter()
        .map(|(name, fields)| {
            let kept = fields.map(|f| f.into_iter().filter(|(_, ty)| relevant(ty)).collect());
            (name, kept)
        })
        .collect()
}

/// Whether inference can use a value of this type: the catalogue knows it (or what it
/// holds, or an element of the tuple), or it is one of the crate's own.
pub fn relevant_type(ty: &Ty, catalog: &Catalog) -> bool {
    let known = |ty: &Ty| {
        let items = ty.items();
        let ty = items.as_ref().unwrap_or(ty);
        let path = ty.path.split('<').next().unwrap_or_default();
        path.starts_with(LOCAL_TYPE_PREFIX) || catalog.knows_prefix(path)
    };
    match ty.elems.is_empty() {
        true => known(ty) || ty.inner.as_deref().is_some_and(known),
        false => ty.elems.iter().any(known),
    }
}
