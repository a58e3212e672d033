//! A deterministic generator of realistic feedback sheets in the handbook's layout.
