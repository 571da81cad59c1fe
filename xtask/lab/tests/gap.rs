//! The lab on an untouched exercise reports the gap it reached, not a panic dump.

use breaker_lab::scenarios::find;
use breaker_lab::{Breakers, breaker, gap};

#[test]
fn an_untouched_exercise_02_names_its_first_gap() {
    let mut breakers = Breakers::solutions();
    breakers.under_test = breaker!(exercise_02_breaker_layer, "exercises/02-breaker-layer");
    let outage = find("outage").expect("a scenario");
    let panic = match gap::catch(|| outage.run(&breakers)) {
        Err(panic) => panic,
        Ok(_) => panic!("the untouched exercise 02 ran the outage: its gaps should stop it"),
    };
    assert!(panic.is_todo(), "not a todo!(): {panic:?}");
    assert!(
        panic
            .location
            .contains("exercises/02-breaker-layer/src/layer.rs"),
        "the first gap reached is `CircuitBreakerLayer::layer`, found {}",
        panic.location
    );
    let message = panic.to_string();
    assert!(
        message
            .starts_with("the lab reached a `todo!()` at exercises/02-breaker-layer/src/layer.rs:")
            && message.contains("CircuitBreakerLayer::layer"),
        "{message}"
    );
}
