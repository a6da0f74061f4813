//! Curator authentication: bearer tokens configured by the operator.
//!
//! The server never holds a token itself, only its BLAKE3 hash, so a leaked configuration does
//! not leak a credential. Tokens come from `PRAXIS_CURATOR_TOKENS` and/or a file given with
//! `--tokens`; both hold entries `name:hash` (`hash` = 64 hex digits from
//! `praxis hash-token`), the file one per line (`#` comments and blank lines allowed), the
//! variable separated by commas or whitespace. The name is who the store and audit log record.
//!
//! A presented token is hashed and compared with every configured hash in constant time, so
//! timing reveals neither which hash nor how much of it matched.
//!
//! The desk does not keep the token in its cookie: signing in opens a [`Sessions`] entry under
//! a random id, which the cookie carries. A session expires after [`SESSION_LIFETIME`], is
//! revoked on sign-out (the cookie then writes nothing, even if it was copied), and lives in
//! memory only, so a restart signs everyone out.
//!
//! Contributors, a role below curators, may only propose changes (see
//! [`crate::knowledge_base::proposals`]). The operator configures them the same way
//! (`PRAXIS_CONTRIBUTOR_TOKENS`, `--contributor-tokens`), and curators invite more from the
//! desk: those accounts live in the store. A contributor's token or session never passes as a
//! curator's.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use subtle::ConstantTimeEq;

use super::error::ApiError;

/// The environment variable holding `name:hash` entries.
pub(crate) const TOKENS_ENV: &str = "PRAXIS_CURATOR_TOKENS";
/// The environment variable holding contributors' `name:hash` entries.
pub(crate) const CONTRIBUTOR_TOKENS_ENV: &str = "PRAXIS_CONTRIBUTOR_TOKENS";

#[derive(Debug, thiserror::Error)]
pub enum TokensError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// An entry that is not `name:hash`.
    #[error("{origin}: {message}")]
    Invalid { origin: String, message: String },
}

/// The configured curators: names with the hashes of their tokens.
#[derive(Clone, Default)]
pub struct Tokens {
    entries: Vec<(String, [u8; 32])>,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Names only: hashes stay out of logs.
        f.debug_list()
            .entries(self.entries.iter().map(|(name, _)| name))
            .finish()
    }
}

/// The hash of a token, as stored in configuration: BLAKE3, 64 lower-case hex digits.
pub fn hash_token(token: &str) -> String {
    blake3::hash(token.as_bytes()).to_hex().to_string()
}

impl Tokens {
    /// No curators: every write is refused.
    pub fn none() -> Tokens {
        Tokens::default()
    }

    /// Curators from plain `(name, token)` pairs (for tests and tools).
    pub fn from_plain<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Tokens {
        Tokens {
            entries: pairs
                .into_iter()
                .map(|(name, token)| (name.to_string(), *blake3::hash(token.as_bytes()).as_bytes()))
                .collect(),
        }
    }

    /// Reads the environment variable's value (if any) and the tokens file (if any).
    pub fn load(env_value: Option<&str>, file: Option<&Path>) -> Result<Tokens, TokensError> {
        Tokens::load_from(TOKENS_ENV, env_value, file)
    }

    /// Contributors' tokens: [`CONTRIBUTOR_TOKENS_ENV`]'s value and `--contributor-tokens`.
    pub(crate) fn load_contributors(
        env_value: Option<&str>,
        file: Option<&Path>,
    ) -> Result<Tokens, TokensError> {
        Tokens::load_from(CONTRIBUTOR_TOKENS_ENV, env_value, file)
    }

    fn load_from(
        env_name: &str,
        env_value: Option<&str>,
        file: Option<&Path>,
    ) -> Result<Tokens, TokensError> {
        let mut tokens = Tokens::default();
        if let Some(value) = env_value {
            for (i, entry) in value
                .split(|c: char| c == ',' || c.is_whitespace())
                .filter(|e| !e.is_empty())
                .enumerate()
            {
                tokens.add(entry, || format!("{env_name} entry {}", i + 1))?;
            }
        }
        if let Some(path) = file {
            let text = std::fs::read_to_string(path).map_err(|source| TokensError::Io {
                path: path.to_path_buf(),
                source,
            })?;
            for (number, line) in text.lines().enumerate() {
                let line = line.trim();
                if line.is_empty() || line.starts_with('#') {
                    continue;
                }
                tokens.add(line, || format!("{}:{}", path.display(), number + 1))?;
            }
        }
        Ok(tokens)
    }

    fn add(&mut self, entry: &str, origin: impl Fn() -> String) -> Result<(), TokensError> {
        let invalid = |message: String| TokensError::Invalid {
            origin: origin(),
            message,
        };
        let Some((name, hash)) = entry.split_once(':') else {
            return Err(invalid(
                "expected `name:hash` (make the hash with `praxis hash-token`)".into(),
            ));
        };
        let name = name.trim();
        let valid_name = !name.is_empty()
            && name.len() <= 64
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '@'));
        if !valid_name {
            return Err(invalid(format!(
                "\"{name}\" is not a valid curator name (1 to 64 of a-z, A-Z, 0-9, - _ . @)"
            )));
        }
        let hash = hash.trim();
        let bytes = decode_hex(hash).ok_or_else(|| {
            invalid(format!(
                "the hash for \"{name}\" is not 64 hex digits; store the output of `praxis hash-token`, never the token itself"
            ))
        })?;
        if self.entries.iter().any(|(n, _)| n == name) {
            return Err(invalid(format!("curator \"{name}\" is configured twice")));
        }
        self.entries.push((name.to_string(), bytes));
        Ok(())
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Whether an entry has this name.
    pub(crate) fn has_name(&self, name: &str) -> bool {
        self.entries.iter().any(|(n, _)| n == name)
    }

    /// The configured names.
    pub(crate) fn names(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|(n, _)| n.as_str())
    }

    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    /// The curator whose token this is.
    pub fn verify(&self, token: &str) -> Option<&str> {
        let presented = blake3::hash(token.as_bytes());
        let mut found = None;
        // No early exit: every entry is compared, whatever matched.
        for (name, hash) in &self.entries {
            if bool::from(presented.as_bytes().ct_eq(hash)) {
                found = Some(name.as_str());
            }
        }
        found
    }
}

fn decode_hex(text: &str) -> Option<[u8; 32]> {
    if text.len() != 64 || !text.is_ascii() {
        return None;
    }
    let mut bytes = [0u8; 32];
    for (i, byte) in bytes.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(bytes)
}

/// An authenticated curator, extracted from `Authorization: Bearer <token>`; handlers that take
/// one answer 401 to everyone else.
#[derive(Debug, Clone)]
pub struct Curator(pub(crate) String);

/// The bearer token of a request, if it has one of the right shape.
pub(crate) fn bearer(parts: &Parts) -> Result<Option<&str>, ApiError> {
    let Some(value) = parts.headers.get(AUTHORIZATION) else {
        return Ok(None);
    };
    value
        .to_str()
        .ok()
        .and_then(|v| {
            let (scheme, token) = v.trim().split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
        })
        .filter(|t| !t.is_empty())
        .map(Some)
        .ok_or_else(|| ApiError::Unauthorized(crate::catalogue::Message::new("api_bearer_format")))
}

/// An authenticated contributor, from `Authorization: Bearer <token>`: a token configured
/// by the operator or made by an invitation. Curators' tokens are not contributors'.
#[derive(Debug, Clone)]
pub(crate) struct Contributor(pub(crate) String);

/// How long a desk session lasts after sign-in: a working day.
pub(crate) const SESSION_LIFETIME: Duration = Duration::from_secs(8 * 60 * 60);
/// Sessions held at most; signing in beyond this ends the oldest (sign-ins are rate limited,
/// so only a curator signing in thousands of times could reach it).
const MAX_SESSIONS: usize = 10_000;

/// What a session signs in as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    Curator,
    Contributor,
}

/// Open desk sessions. Held by the hash of their id, like tokens.
pub(crate) struct Sessions {
    lifetime: Duration,
    open: Mutex<HashMap<[u8; 32], (String, Role, Instant)>>,
}

impl Default for Sessions {
    fn default() -> Self {
        Sessions::new(SESSION_LIFETIME)
    }
}

impl Sessions {
    pub(crate) fn new(lifetime: Duration) -> Sessions {
        Sessions {
            lifetime,
            open: Mutex::new(HashMap::new()),
        }
    }

    pub(crate) fn lifetime(&self) -> Duration {
        self.lifetime
    }

    /// Opens a session for `curator`; returns its id (64 hex digits, 256 random bits).
    pub(crate) fn open(&self, curator: &str) -> String {
        self.open_as(curator, Role::Curator)
    }

    /// Opens a session for `name` in `role`.
    pub(crate) fn open_as(&self, name: &str, role: Role) -> String {
        let id = blake3::Hash::from_bytes(rand::random::<[u8; 32]>())
            .to_hex()
            .to_string();
        let now = Instant::now();
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        open.retain(|_, (_, _, expires)| *expires > now);
        if open.len() >= MAX_SESSIONS {
            if let Some(oldest) = open.iter().min_by_key(|(_, (_, _, e))| *e).map(|(k, _)| *k) {
                open.remove(&oldest);
            }
        }
        open.insert(
            *blake3::hash(id.as_bytes()).as_bytes(),
            (name.to_string(), role, now + self.lifetime),
        );
        id
    }

    /// The curator of an open, unexpired session (never a contributor's session).
    pub(crate) fn curator(&self, id: &str) -> Option<String> {
        self.signed_in(id, Role::Curator)
    }

    /// The contributor of an open, unexpired session (never a curator's session).
    pub(crate) fn contributor(&self, id: &str) -> Option<String> {
        self.signed_in(id, Role::Contributor)
    }

    fn signed_in(&self, id: &str, role: Role) -> Option<String> {
        let key = *blake3::hash(id.as_bytes()).as_bytes();
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        match open.get(&key) {
            Some((name, r, expires)) if *expires > Instant::now() => {
                (*r == role).then(|| name.clone())
            }
            Some(_) => {
                open.remove(&key);
                None
            }
            None => None,
        }
    }

    /// Ends a session: its id opens nothing any more.
    pub(crate) fn revoke(&self, id: &str) {
        let key = *blake3::hash(id.as_bytes()).as_bytes();
        self.open
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_open_expire_and_revoke() {
        let sessions = Sessions::new(Duration::from_secs(60));
        let id = sessions.open("alice");
        assert_eq!(id.len(), 64);
        assert_ne!(id, sessions.open("alice"), "every sign-in gets a new id");
        assert_eq!(sessions.curator(&id).as_deref(), Some("alice"));
        assert_eq!(sessions.curator("not-a-session"), None);
        sessions.revoke(&id);
        assert_eq!(sessions.curator(&id), None);

        let contributor = sessions.open_as("jane", Role::Contributor);
        assert_eq!(sessions.contributor(&contributor).as_deref(), Some("jane"));
        assert_eq!(
            sessions.curator(&contributor),
            None,
            "a contributor's session never opens the desk"
        );

        let short = Sessions::new(Duration::from_millis(1));
        let id = short.open("bob");
        std::thread::sleep(Duration::from_millis(5));
        assert_eq!(short.curator(&id), None);
    }

    #[test]
    fn configured_hashes_verify_their_tokens_only() {
        let line = format!("alice:{}", hash_token("s3cret"));
        let tokens =
            Tokens::load(Some(&format!("{line}, bob:{}", hash_token("other"))), None).unwrap();
        assert_eq!(tokens.len(), 2);
        assert_eq!(tokens.verify("s3cret"), Some("alice"));
        assert_eq!(tokens.verify("other"), Some("bob"));
        assert_eq!(tokens.verify("s3cre"), None);
        assert_eq!(tokens.verify(""), None);
    }

    #[test]
    fn a_tokens_file_reports_the_bad_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tokens");
        std::fs::write(
            &path,
            format!("# curators\n\nalice:{}\nbob:plain-token\n", hash_token("x")),
        )
        .unwrap();
        let error = Tokens::load(None, Some(&path)).unwrap_err().to_string();
        assert!(error.contains(":4:"), "{error}");
        assert!(error.contains("hash-token"), "{error}");
    }

    #[test]
    fn names_must_be_plain_and_unique() {
        let hash = hash_token("x");
        assert!(Tokens::load(Some(&format!("a b:{hash}")), None).is_err());
        assert!(Tokens::load(Some(&format!(":{hash}")), None).is_err());
        assert!(Tokens::load(Some(&format!("a:{hash},a:{hash}")), None).is_err());
        assert!(Tokens::load(Some("no-colon"), None).is_err());
    }
}
