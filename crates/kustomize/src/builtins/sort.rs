//! `sortOptions` (kustomize's `SortOrderTransformer`, top-level kustomization only): the
//! legacy order (kinds ranked by `orderFirst`/`orderLast`, then group/version/kind,
//! namespace and name) or `fifo` (the order objects were read and generated in).

use crate::resource::{Res, legacy_sort, legacy_sort_with};
use crate::types::SortOptions;

/// Sorts per the options; `None` means kustomize's default (legacy with its kind ranks).
pub(crate) fn sort(resources: &mut Vec<Res>, options: Option<&SortOptions>) -> Result<(), String> {
    let Some(o) = options else {
        legacy_sort(resources);
        return Ok(());
    };
    match o.order.as_str() {
        "fifo" => {
            if o.legacy.is_some() {
                return Err("the field 'sortOptions.legacySortOptions' is set but the selected sort order is 'fifo', not 'legacy'".to_string());
            }
            Ok(())
        }
        "legacy" => {
            match &o.legacy {
                None => legacy_sort(resources),
                Some((first, last)) => {
                    let rank = |kind: &str| -> i32 {
                        if let Some(i) = first.iter().position(|k| k == kind) {
                            return i as i32 - first.len() as i32;
                        }
                        if let Some(i) = last.iter().position(|k| k == kind) {
                            return i as i32 + 1;
                        }
                        0
                    };
                    legacy_sort_with(resources, &rank);
                }
            }
            Ok(())
        }
        _ => Err("the field 'sortOptions.order' must be one of [fifo, legacy]".to_string()),
    }
}
