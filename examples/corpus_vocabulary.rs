//! Rebuilds the word lists that `praxis gen-corpus` writes synthetic documents with, from the
//! valid documents of a corpus folder:
//!
//! ```text
//! cargo run --example corpus_vocabulary -- corpus src/gen_corpus
//! ```
//!
//! Writes `words-en.txt`, `words-fr.txt` and `words-es.txt` into the output folder. Changing
//! them changes every generated corpus: bump `gen_corpus::GENERATOR_VERSION` with them.

use std::path::PathBuf;

use praxis::gen_corpus::Lexicon;
use praxis::{Lang, Taxonomy};

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args_os().skip(1).map(PathBuf::from);
    let (Some(corpus), Some(out)) = (args.next(), args.next()) else {
        anyhow::bail!("usage: corpus_vocabulary <corpus folder> <output folder>");
    };
    let lexicon = Lexicon::from_corpus(&corpus, &Taxonomy::builtin())?;
    for lang in Lang::ALL {
        let words = lexicon.words(lang);
        let path = out.join(format!("words-{lang}.txt"));
        std::fs::write(&path, words.to_text(lang))?;
        let total: u64 = words.words().map(|(_, count)| count).sum();
        println!(
            "{}: {} distinct words, {total} in all",
            path.display(),
            words.len()
        );
    }
    Ok(())
}
