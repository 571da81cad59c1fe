//! One full scenario, recorded step by step and compared with a snapshot:
//! closed -> open -> half-open -> closed, then -> open -> half-open -> open.

use std::fmt::Write;

use crate::support::*;

/// What happens at one step of the scenario.
enum Event {
    /// A request arrives; if admitted its ticket is kept for the next outcome.
    Request,
    /// The request admitted last succeeds.
    Success,
    /// The request admitted last fails.
    Failure,
}

#[test]
fn full_scenario_trace() {
    use Event::*;
    let t0 = Instant::now();
    let script = [
        (0, Request),
        (0, Failure),
        (1, Request),
        (1, Success),
        (2, Request),
        (2, Failure),
        (3, Request),
        (3, Failure),
        (5, Request),
        (12, Request),
        (13, Request),
        (13, Success),
        (14, Request),
        (14, Failure),
        (15, Request),
        (15, Failure),
        (20, Request),
        (25, Request),
        (26, Failure),
        (35, Request),
        (36, Request),
        (36, Success),
    ];
    let mut c = circuit(2);
    let mut ticket = None;
    let mut trace = String::new();
    for (secs, event) in script {
        let now = t0 + Duration::from_secs(secs);
        let what = match event {
            Request => match c.admit(now) {
                Some(t) => {
                    ticket = Some(t);
                    "request admitted"
                }
                None => "request rejected",
            },
            Success => {
                c.on_success(ticket.take().expect("the script admits before an outcome"));
                "success"
            }
            Failure => {
                c.on_failure(
                    ticket.take().expect("the script admits before an outcome"),
                    now,
                );
                "failure"
            }
        };
        writeln!(
            trace,
            "{:<7} {what:<17} -> {}",
            at(now, t0),
            show(c.state(), t0)
        )
        .unwrap();
    }
    insta::with_settings!({
        description => "the state after each step: requests and outcomes with threshold 2, open 10s",
        omit_expression => true,
    }, {
        insta::assert_snapshot!(trace);
    });
}
