//! The [`Layer`]: how a breaker is put around a service.

use std::sync::{Arc, Mutex};

use tower::Layer;

use crate::classify::ErrorsAsFailures;
use crate::service::CircuitBreaker;
use crate::state::{Circuit, Config};

/// Puts a [`CircuitBreaker`] around a service.
///
/// Every call of [`Layer::layer`] makes a new, independent breaker: in a load-balanced pool,
/// each backend gets its own, so that one bad node does not open the circuit for all traffic.
/// The clones of one [`CircuitBreaker`], on the other hand, share its state.
#[derive(Debug, Clone)]
pub struct CircuitBreakerLayer<C = ErrorsAsFailures> {
    config: Config,
    classifier: C,
}

impl CircuitBreakerLayer {
    /// A layer whose breakers count every `Err` as a failure ([`ErrorsAsFailures`]).
    pub fn new(config: Config) -> Self {
        CircuitBreakerLayer {
            config,
            classifier: ErrorsAsFailures,
        }
    }
}

impl<C> CircuitBreakerLayer<C> {
    /// The same layer with another classifier: a [`Classify`](crate::Classify) implementation
    /// such as [`HttpClassifier`](crate::HttpClassifier), or a closure.
    pub fn with_classifier<D>(self, classifier: D) -> CircuitBreakerLayer<D> {
        CircuitBreakerLayer {
            config: self.config,
            classifier,
        }
    }
}

impl<S, C: Clone> Layer<S> for CircuitBreakerLayer<C> {
    type Service = CircuitBreaker<S, C>;

    fn layer(&self, inner: S) -> Self::Service {
        // TODO: on return, `inner` is wrapped in a breaker whose circuit starts closed with this
        // layer's `Config` and classifier. README rule: clones share one circuit, and each call
        // of `layer` (one per backend) makes a new one. Pitfall: a circuit built once, in the
        // layer, would let one failing backend open the circuit of all the others.
        todo!("CircuitBreakerLayer::layer: wrap `inner` in a new breaker")
    }
}
