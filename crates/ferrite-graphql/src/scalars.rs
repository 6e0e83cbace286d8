//! Nexar's custom scalars: `Map` (free-form JSON object), `Time` and `DateTime` (RFC 3339).

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};
use chrono::{DateTime, SecondsFormat, Utc};

/// A JSON object, such as search `filters`.
#[derive(Debug, Clone, Default)]
pub struct Map(pub serde_json::Map<String, serde_json::Value>);

#[Scalar(name = "Map")]
impl ScalarType for Map {
    fn parse(value: Value) -> InputValueResult<Self> {
        match value.into_json()? {
            serde_json::Value::Object(map) => Ok(Map(map)),
            serde_json::Value::Null => Ok(Map::default()),
            _ => Err(InputValueError::custom("a Map must be a JSON object")),
        }
    }

    fn to_value(&self) -> Value {
        Value::from_json(serde_json::Value::Object(self.0.clone())).unwrap_or(Value::Null)
    }
}

macro_rules! time_scalar {
    ($name:ident, $graphql:literal) => {
        #[derive(Debug, Clone, Copy)]
        pub struct $name(pub DateTime<Utc>);

        #[Scalar(name = $graphql)]
        impl ScalarType for $name {
            fn parse(value: Value) -> InputValueResult<Self> {
                match value {
                    Value::String(text) => DateTime::parse_from_rfc3339(&text)
                        .map(|t| $name(t.with_timezone(&Utc)))
                        .map_err(|_| InputValueError::custom("expected an RFC 3339 time")),
                    _ => Err(InputValueError::custom("expected an RFC 3339 time")),
                }
            }

            fn to_value(&self) -> Value {
                Value::String(self.0.to_rfc3339_opts(SecondsFormat::Secs, true))
            }
        }
    };
}

time_scalar!(Time, "Time");
time_scalar!(DateTimeScalar, "DateTime");
