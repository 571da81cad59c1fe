//! The optional retry budget (`RetryPolicy::with_budget`, tower's `TpsBudget`): successes
//! deposit, retries withdraw, and a retry the budget cannot pay for is not made.

use std::sync::Arc;

use tower::retry::budget::TpsBudget;

use crate::support::*;

#[tokio::test(start_paused = true)]
async fn a_budget_limits_retries_across_requests() {
    // No deposits count (retry_percent 0); a reserve of 1 retry per second (ttl 1 s).
    let budget = Arc::new(TpsBudget::new(Duration::from_secs(1), 1, 0.0));
    let (backend, calls) = Backend::down();
    let mut svc = retrying(policy(3).with_budget(budget), backend);
    let mut per_request = Vec::new();
    for n in 1..=3 {
        let before = calls.count();
        let _ = request(&mut svc, "GET /", &format!("request {n}")).await;
        per_request.push(calls.count() - before);
    }
    assert_eq!(
        per_request,
        [2, 1, 1],
        "with a budget of 1 retry per second, max_attempts 3 and a backend that is down, 3 \
         requests in a row must make 2, 1 and 1 attempts (the first retry empties the budget; a \
         retry the budget refuses, `withdraw()` false, is not made); they made {per_request:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn successes_deposit_into_the_budget() {
    // No reserve; every success pays for one retry (retry_percent 1.0).
    let budget = Arc::new(TpsBudget::new(Duration::from_secs(10), 0, 1.0));
    let (backend, calls) =
        Backend::scripted(|n| if n == 2 { Ok("fine") } else { Err(Unavailable) });
    let mut svc = retrying(policy(3).with_budget(budget), backend);
    let _ = request(&mut svc, "GET /", "request 1").await;
    assert_eq!(
        calls.count(),
        1,
        "with an empty budget (no reserve, no success yet), a failed request must not be \
         retried; the backend saw {} attempts",
        calls.count()
    );
    let outcome = request(&mut svc, "GET /", "request 2").await;
    assert_eq!(outcome, Ok("fine"), "the backend answers request 2");
    let before = calls.count();
    let _ = request(&mut svc, "GET /", "request 3").await;
    assert_eq!(
        calls.count() - before,
        2,
        "after one success deposited into the budget (retry_percent 1.0: one retry per success), \
         the next failing request must get exactly 1 retry (2 attempts); it got {}. An Ok must \
         `deposit()` into the budget",
        calls.count() - before
    );
}

#[tokio::test(start_paused = true)]
async fn a_retry_past_max_attempts_costs_nothing() {
    // A reserve of exactly 2 retries (ttl 1 s, 2 per second, no deposits); both requests end
    // within that second (one backoff of 100 ms).
    let budget = Arc::new(TpsBudget::new(Duration::from_secs(1), 2, 0.0));
    let (backend, calls) = Backend::down();
    let mut svc = retrying(policy(2).with_budget(budget), backend);
    let mut per_request = Vec::new();
    for n in 1..=2 {
        let before = calls.count();
        let _ = request(&mut svc, "GET /", &format!("request {n}")).await;
        per_request.push(calls.count() - before);
    }
    assert_eq!(
        per_request,
        [2, 2],
        "with a budget of exactly 2 retries, max_attempts 2 and a backend that is down, 2 requests \
         in a row must each get their 1 retry (2 attempts each): after request 1's second attempt \
         no retry is made (max_attempts), so it must not withdraw from the budget. Withdraw only \
         once every other check says \"retry\"; they made {per_request:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_retry_that_is_not_made_costs_nothing() {
    // A reserve of exactly 1 retry (ttl 1 s, 1 per second, no deposits).
    let budget = Arc::new(TpsBudget::new(Duration::from_secs(1), 1, 0.0));
    let (backend, calls) = Backend::scripted(|n| {
        if n == 1 {
            Err(BadRequest)
        } else {
            Err(Unavailable)
        }
    });
    let mut svc = retrying(policy(3).with_budget(budget), backend);
    let _ = request(&mut svc, "POST /bad", "a bad request").await;
    let before = calls.count();
    let _ = request(&mut svc, "GET /", "a request the backend is down for").await;
    assert_eq!(
        (before, calls.count() - before),
        (1, 2),
        "a bad request is not retried, so it must not withdraw from the budget: the next failing \
         request must still get the budget's 1 retry (2 attempts). Withdraw only once every other \
         check says \"retry\"; got {before} attempt(s) for the bad request and {} for the next",
        calls.count() - before
    );
}
