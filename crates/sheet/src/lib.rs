//! Feedback sheet sources: CSV, XLSX/ODS, published-CSV URL, stdin; streaming typed rows and the fast scorer.
