//! Rate limits: a token bucket per caller. The machine interfaces (Open311 and the JSON API)
//! key it on the account or intake client a token proved, and on the client address for
//! callers without a valid token; forms anyone may send signed out (a report, a follow-up, a
//! login) on the client address ([`public`]). A caller over its allowance gets 429 with the
//! seconds to wait; nothing it sent is read further.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

/// How many requests a caller may make: `per_minute` on average, up to a minute's worth at once.
#[derive(Debug)]
pub struct Limiter {
    per_minute: u32,
    buckets: Mutex<HashMap<String, Bucket>>,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

/// Callers remembered before idle ones are forgotten.
const MAX_CALLERS: usize = 100_000;

impl Limiter {
    pub fn new(per_minute: u32) -> Limiter {
        Limiter {
            per_minute: per_minute.max(1),
            buckets: Mutex::default(),
        }
    }

    /// Takes one request from `caller`'s allowance, or says how many seconds until it may
    /// try again.
    pub fn check(&self, caller: &str) -> Result<(), u64> {
        self.check_at(caller, Instant::now())
    }

    fn check_at(&self, caller: &str, now: Instant) -> Result<(), u64> {
        let capacity = f64::from(self.per_minute);
        let per_second = capacity / 60.0;
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if buckets.len() >= MAX_CALLERS && !buckets.contains_key(caller) {
            buckets.retain(|_, b| {
                now.duration_since(b.at).as_secs_f64() * per_second + b.tokens < capacity
            });
        }
        let bucket = buckets.entry(caller.to_owned()).or_insert(Bucket {
            tokens: capacity,
            at: now,
        });
        let refill = now.duration_since(bucket.at).as_secs_f64() * per_second;
        bucket.tokens = (bucket.tokens + refill).min(capacity);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            // Whole seconds, rounded up, until one token is back.
            let wait = ((1.0 - bucket.tokens) / per_second).ceil();
            Err(wait.clamp(1.0, 3600.0) as u64)
        }
    }
}

/// What a signed-out address is counted for: each has its own allowance.
#[derive(Debug, Clone, Copy)]
pub enum Public {
    /// A report or a follow-up through the public pages.
    Form,
    /// A login attempt, on the page or through the API.
    Login,
}

/// Takes one request of `kind` from `address`'s allowance, or answers the seconds to wait.
pub fn public(app: &crate::AppState, kind: Public, address: Option<&str>) -> Result<(), u64> {
    let kind = match kind {
        Public::Form => "form",
        Public::Login => "login",
    };
    app.public_limiter
        .check(&format!("{kind}:{}", address.unwrap_or("unknown")))
}

/// [`public`] for a page: a refusal is a 429 page.
pub fn public_page(
    app: &crate::AppState,
    kind: Public,
    ctx: &crate::context::Ctx,
) -> Result<(), crate::failure::Failure> {
    public(app, kind, ctx.ip.as_deref()).map_err(crate::failure::Failure::TooMany)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn a_flood_is_held_back_and_the_allowance_comes_back() {
        let limiter = Limiter::new(60);
        let start = Instant::now();
        for _ in 0..60 {
            assert_eq!(limiter.check_at("key:a", start), Ok(()));
        }
        assert_eq!(limiter.check_at("key:a", start), Err(1));
        assert_eq!(
            limiter.check_at("key:b", start),
            Ok(()),
            "others unaffected"
        );
        let later = start + Duration::from_secs(2);
        assert_eq!(limiter.check_at("key:a", later), Ok(()));
        assert_eq!(limiter.check_at("key:a", later), Ok(()));
        assert!(limiter.check_at("key:a", later).is_err());
    }
}
