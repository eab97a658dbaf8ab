// SPDX-License-Identifier: GPL-2.0

//! Module types that pr_*! prints. They implement `core::fmt::Display`; from
//! 7.x, pr_*! formats through `kernel::fmt::Display` instead (and BStr
//! implements only that), so `printable!` adds the kernel's trait where the
//! tree has one (cfg `skf_kernel_fmt`, set by Kbuild from the tree).

use kernel::str::BStr;

/// Gives each listed type `kernel::fmt::Display` where pr_*! needs it.
macro_rules! printable {
    ($($ty:ty),+ $(,)?) => {
        $(
            #[cfg(skf_kernel_fmt)]
            impl kernel::fmt::Display for $ty {
                fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                    core::fmt::Display::fmt(self, f)
                }
            }
        )+
    };
}
pub(crate) use printable;

/// Writes `bytes` as BStr prints them (printable ASCII, the rest escaped),
/// from a `core::fmt::Display` impl, whichever trait BStr has.
pub(crate) fn write_bstr(f: &mut core::fmt::Formatter<'_>, bytes: &[u8]) -> core::fmt::Result {
    let s = BStr::from_bytes(bytes);
    #[cfg(skf_kernel_fmt)]
    return kernel::fmt::Display::fmt(s, f);
    #[cfg(not(skf_kernel_fmt))]
    return core::fmt::Display::fmt(s, f);
}
