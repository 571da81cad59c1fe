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
    // The ticket of the last admitted request, and what the last request met: its step, its
    // time and the state it found.
    let mut ticket = None;
    let mut last_request = None;
    let mut trace = String::new();
    for (step, (secs, event)) in script.into_iter().enumerate() {
        let step = step + 1;
        let now = t0 + Duration::from_secs(secs);
        let what = match event {
            Request => {
                last_request = Some((step, now, c.state()));
                match c.admit(now) {
                    Some(t) => {
                        ticket = Some(t);
                        "request admitted"
                    }
                    None => "request rejected",
                }
            }
            Success | Failure => {
                let Some(t) = ticket.take() else {
                    let (at_step, at_time, found) =
                        last_request.expect("every outcome of the script follows a request");
                    panic!(
                        "step {step} of the script (threshold 2, open 10s) is the outcome of the \
                         request of step {at_step} at {}, so the script expected that request to \
                         be admitted; the circuit rejected it while it was {}{}. The steps so \
                         far:\n{trace}",
                        at(at_time, t0),
                        show(found, t0),
                        match found {
                            State::Open { until } if at_time >= until => {
                                " (a request at or after `until` is admitted as the probe)"
                            }
                            _ => "",
                        },
                    );
                };
                if let Success = event {
                    c.on_success(t);
                    "success"
                } else {
                    c.on_failure(t, now);
                    "failure"
                }
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
