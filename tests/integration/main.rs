//! parallax's integration tests, as one test binary: every test file here is a module, so
//! libtorch is linked once rather than once per file (each link takes tens of seconds).
//! Most tests run the built binary on real data (`../shared/data`); `embeddings`,
//! `rouge_reference` and `scheduler_real` call the library directly.

mod common;

mod cli_abstractive;
mod cli_batch;
mod cli_compare;
mod cli_inputs;
mod cli_models;
mod cli_nli;
mod cli_output;
mod cli_stories;
mod cli_summarize;
mod compare_findings;
mod docs;
mod e5_multilingual;
mod embeddings;
mod eval_compare;
mod fuzz;
mod html_report;
mod hub;
mod naming;
mod rouge_reference;
mod scheduler_real;
