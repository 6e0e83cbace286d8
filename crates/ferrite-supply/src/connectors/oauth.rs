//! OAuth 2.0 client credentials (RFC 6749 §4.4), as DigiKey and Nexar use them: a token kept
//! until a minute before it expires, and fetched again once when the API refuses the one kept
//! (revoked, or expired early).

use std::{
    sync::Mutex,
    time::{Duration, Instant},
};

use reqwest::{Method, blocking::RequestBuilder};

use super::{Answer, CallError, Calls, ConnectorConfig};

pub(crate) struct ClientCredentials {
    token_url: String,
    pub client_id: String,
    client_secret: String,
    scope: Option<&'static str>,
    kept: Mutex<Option<(String, Instant)>>,
}

/// A token is fetched again this long before it is said to expire.
const MARGIN: Duration = Duration::from_secs(60);

impl ClientCredentials {
    pub(crate) fn new(config: &ConnectorConfig, scope: Option<&'static str>) -> ClientCredentials {
        ClientCredentials {
            token_url: config.token_url(),
            client_id: config.secret("client_id").to_owned(),
            client_secret: config.secret("client_secret").to_owned(),
            scope,
            kept: Mutex::new(None),
        }
    }

    fn token(&self, calls: &mut dyn Calls) -> Result<String, CallError> {
        let mut kept = self.kept.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((token, until)) = kept.as_ref()
            && Instant::now() < *until
        {
            return Ok(token.clone());
        }
        let mut form = vec![
            ("grant_type", "client_credentials"),
            ("client_id", self.client_id.as_str()),
            ("client_secret", self.client_secret.as_str()),
        ];
        form.extend(self.scope.map(|scope| ("scope", scope)));
        let document = calls.token(calls.request(Method::POST, &self.token_url).form(&form))?.json()?;
        let token = document["access_token"]
            .as_str()
            .ok_or_else(|| CallError::Malformed("the token answer has no access_token".into()))?
            .to_owned();
        let lifetime = Duration::from_secs(document["expires_in"].as_u64().unwrap_or(600));
        *kept = Some((token.clone(), Instant::now() + lifetime.saturating_sub(MARGIN)));
        Ok(token)
    }

    /// One call of the API that `build` makes, with the kept token (or a new one). A 401, or an
    /// answer `refuses_token` reads as a refusal of the token (Nexar answers 200), fetches a new
    /// token and calls once more.
    pub(crate) fn call(
        &self,
        calls: &mut dyn Calls,
        build: &dyn Fn(&dyn Calls) -> RequestBuilder,
        refuses_token: fn(&Answer) -> bool,
    ) -> Result<Answer, CallError> {
        let token = self.token(calls)?;
        match calls.call(build(&*calls).bearer_auth(&token)) {
            Err(CallError::Refused(_)) => {}
            Ok(answer) if refuses_token(&answer) => {}
            answer => return answer,
        }
        {
            // Lookups side by side may all be refused one token: the first to see it fetches anew.
            let mut kept = self.kept.lock().unwrap_or_else(|p| p.into_inner());
            if kept.as_ref().is_some_and(|(kept, _)| *kept == token) {
                *kept = None;
            }
        }
        let token = self.token(calls)?;
        calls.call(build(&*calls).bearer_auth(token))
    }
}
