//! JSON with templates inside (request bodies, assertion values), parsed once at load: the parts
//! without `${…}` stay plain values and are only copied when rendered.

use super::{Template, TemplateError, Vars};
use serde_json::{Map, Value};

/// A JSON value whose strings and object keys may hold templates.
#[derive(Debug, Clone, PartialEq)]
pub enum JsonTemplate {
    /// A value with no template anywhere inside.
    Literal(Value),
    /// A string with a template; exactly one `${var}` keeps the captured value's JSON type.
    Text(Template),
    Array(Vec<JsonTemplate>),
    /// Keys render as strings; order is kept.
    Object(Vec<(Template, JsonTemplate)>),
}

impl JsonTemplate {
    /// An array, collapsed to a literal when nothing inside is templated.
    pub(crate) fn array(items: Vec<JsonTemplate>) -> JsonTemplate {
        if items.iter().all(|i| matches!(i, JsonTemplate::Literal(_))) {
            JsonTemplate::Literal(Value::Array(
                items
                    .into_iter()
                    .filter_map(JsonTemplate::into_literal)
                    .collect(),
            ))
        } else {
            JsonTemplate::Array(items)
        }
    }

    /// An object, collapsed to a literal when no key or value inside is templated.
    pub(crate) fn object(entries: Vec<(Template, JsonTemplate)>) -> JsonTemplate {
        let plain = entries
            .iter()
            .all(|(k, v)| k.is_literal() && matches!(v, JsonTemplate::Literal(_)));
        if plain {
            let mut map = Map::new();
            for (k, v) in entries {
                if let Some(v) = v.into_literal() {
                    map.insert(k.as_str().to_string(), v);
                }
            }
            JsonTemplate::Literal(Value::Object(map))
        } else {
            JsonTemplate::Object(entries)
        }
    }

    /// A string: literal unless it holds a template.
    pub(crate) fn text(t: Template) -> JsonTemplate {
        if t.is_literal() {
            JsonTemplate::Literal(Value::String(t.as_str().to_string()))
        } else {
            JsonTemplate::Text(t)
        }
    }

    fn into_literal(self) -> Option<Value> {
        match self {
            JsonTemplate::Literal(v) => Some(v),
            _ => None,
        }
    }

    /// Expands every template inside.
    pub fn render(&self, vars: &Vars) -> Result<Value, TemplateError> {
        Ok(match self {
            JsonTemplate::Literal(v) => v.clone(),
            JsonTemplate::Text(t) => t.render_value(vars)?,
            JsonTemplate::Array(items) => Value::Array(
                items
                    .iter()
                    .map(|i| i.render(vars))
                    .collect::<Result<_, _>>()?,
            ),
            JsonTemplate::Object(entries) => {
                let mut map = Map::new();
                for (k, v) in entries {
                    map.insert(k.render(vars)?, v.render(vars)?);
                }
                Value::Object(map)
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn t(s: &str) -> Template {
        Template::parse(s).unwrap()
    }

    #[test]
    fn untemplated_parts_collapse_to_literals_and_templates_render() {
        let mut vars = Vars::new("ab12cd34", 7);
        vars.captured
            .insert("emails".into(), json!([{"value": "a@b"}]));
        vars.captured.insert("id".into(), json!("42"));
        let plain = JsonTemplate::object(vec![(
            t("a"),
            JsonTemplate::array(vec![JsonTemplate::Literal(json!(1))]),
        )]);
        assert_eq!(plain, JsonTemplate::Literal(json!({"a": [1]})));
        let body = JsonTemplate::object(vec![
            (t("emails"), JsonTemplate::text(t("${emails}"))),
            (t("p"), JsonTemplate::text(t("/Users/${id}"))),
            (t("k-${id}"), JsonTemplate::Literal(json!(true))),
        ]);
        assert_eq!(
            body.render(&vars).unwrap(),
            json!({"emails": [{"value": "a@b"}], "p": "/Users/42", "k-42": true})
        );
    }
}
