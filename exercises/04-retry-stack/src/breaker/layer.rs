//! The [`Layer`]: how a breaker is put around a service.

use std::sync::Arc;

use tower::Layer;

use crate::breaker::classify::ErrorsAsFailures;
use crate::breaker::service::CircuitBreaker;
use crate::breaker::shared::Shared;
use crate::breaker::state::Config;

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
    /// The same layer with another classifier: a [`Classify`](crate::breaker::Classify) implementation
    /// such as [`HttpClassifier`](crate::breaker::HttpClassifier), or a closure.
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
        // A fresh circuit for every service wrapped: breakers are per backend.
        CircuitBreaker::new(
            inner,
            Arc::new(Shared::new(self.config)),
            self.classifier.clone(),
        )
    }
}
