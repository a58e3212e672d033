//! Use cases of supportops (score, review, shadow, sync) over the domain and the ports.
