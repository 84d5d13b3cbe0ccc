//! `--help` in the operator's language, as everything else the command line prints: each
//! command's line and each argument's come from the locales under `[help]`, keyed by the
//! command's path (`"import holidays"`, the program itself `"jiedao"`) and, for an argument,
//! the path and its name (`"import holidays --file"`; `"* --database"` serves every command
//! that takes one). The doc comments on the commands stay as the English of record; a test
//! holds the locales to every command and argument. In Chinese the headings, the usage line,
//! the help and version flags and the default values are written in Chinese too. What clap
//! itself says when it refuses a command line (`error: unexpected argument`) stays English.

use clap::{Arg, ArgAction, Command};
use jiedao_core::{Lang, i18n};

/// The name the program's own line and its global arguments are keyed by.
const ROOT: &str = "jiedao";

/// Arguments clap makes itself, never looked up.
const BUILT_IN: [&str; 2] = ["help", "version"];

fn lookup(lang: Lang, key: &str) -> Option<&'static str> {
    i18n::catalog(lang).get(key).map(String::as_str)
}

/// The locale key of a command's line (`arg` none) or of one of its arguments.
pub fn key(path: &str, arg: Option<&str>) -> String {
    match arg {
        Some(arg) => format!("help.{path} --{arg}"),
        None => format!("help.{path}"),
    }
}

/// The key shared by every command's argument of this name.
fn shared_key(arg: &str) -> String {
    key("*", Some(arg))
}

/// Every command's path and the ids of its arguments, the program first: what the locales
/// must name.
pub fn entries(command: &Command) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    collect(command, ROOT, &mut out);
    out
}

fn collect(command: &Command, path: &str, out: &mut Vec<(String, Vec<String>)>) {
    let args = command
        .get_arguments()
        .map(|a| a.get_id().as_str().to_owned())
        .filter(|id| !BUILT_IN.contains(&id.as_str()))
        .collect();
    out.push((path.to_owned(), args));
    for sub in command.get_subcommands() {
        let child = if path == ROOT {
            sub.get_name().to_owned()
        } else {
            format!("{path} {}", sub.get_name())
        };
        collect(sub, &child, out);
    }
}

/// Whether the locales of `lang` say what `path`'s argument `arg` is.
pub fn has_arg_text(lang: Lang, path: &str, arg: &str) -> bool {
    lookup(lang, &key(path, Some(arg))).is_some() || lookup(lang, &shared_key(arg)).is_some()
}

/// Whether the locales of `lang` give `path`'s line.
pub fn has_line(lang: Lang, path: &str) -> bool {
    lookup(lang, &key(path, None)).is_some()
}

/// `command` with its help in `lang`.
pub fn localize(command: Command, lang: Lang) -> Command {
    let command = walk(command, ROOT, lang);
    if lang == Lang::En {
        return command;
    }
    let mut command =
        command
            .disable_version_flag(true)
            .arg(flag("version", 'V', ArgAction::Version, lang));
    // clap adds its `help` subcommands when it builds the tree: name them once it has.
    command.build();
    help_subcommands(command, lang)
}

/// The `help` subcommand of every command that has subcommands, its line in `lang`.
fn help_subcommands(mut command: Command, lang: Lang) -> Command {
    let names: Vec<String> = command
        .get_subcommands()
        .map(|s| s.get_name().to_owned())
        .collect();
    for name in names {
        command = command.mut_subcommand(name.as_str(), |sub| {
            if name == "help" {
                sub.about(i18n::text(lang, "help_words.help_command"))
            } else {
                help_subcommands(sub, lang)
            }
        });
    }
    command
}

fn walk(mut command: Command, path: &str, lang: Lang) -> Command {
    if let Some(line) = lookup(lang, &key(path, None)) {
        command = command.about(line).long_about(None::<&str>);
    }
    let ids: Vec<String> = command
        .get_arguments()
        .map(|a| a.get_id().as_str().to_owned())
        .filter(|id| !BUILT_IN.contains(&id.as_str()))
        .collect();
    for id in ids {
        let text = lookup(lang, &key(path, Some(&id))).or_else(|| lookup(lang, &shared_key(&id)));
        command = command.mut_arg(id.as_str(), |arg| described(arg, text, lang));
    }
    let names: Vec<String> = command
        .get_subcommands()
        .map(|s| s.get_name().to_owned())
        .collect();
    for name in names {
        let child = if path == ROOT {
            name.clone()
        } else {
            format!("{path} {name}")
        };
        command = command.mut_subcommand(name.as_str(), |sub| walk(sub, &child, lang));
    }
    if lang == Lang::En {
        return command;
    }
    let usage = i18n::text(lang, "help_words.usage");
    command
        .help_template(format!(
            "{{before-help}}{{about-with-newline}}\n{usage} {{usage}}\n\n{{all-args}}{{after-help}}"
        ))
        .subcommand_help_heading(i18n::text(lang, "help_words.commands"))
        .disable_help_flag(true)
        .arg(flag("help", 'h', ArgAction::Help, lang))
}

/// One of the flags clap would make itself (`--help`, `--version`), said in `lang`.
fn flag(name: &'static str, short: char, action: ArgAction, lang: Lang) -> Arg {
    Arg::new(name)
        .short(short)
        .long(name)
        .action(action)
        .help(i18n::text(lang, &format!("help_words.{name}")).to_owned())
        .help_heading(i18n::text(lang, "help_words.options"))
}

/// An argument with its line in `lang`, under a heading in `lang`, its default said in `lang`.
fn described(arg: Arg, text: Option<&'static str>, lang: Lang) -> Arg {
    let mut arg = match text {
        Some(text) => arg.help(text).long_help(None::<&str>),
        None => arg,
    };
    if lang == Lang::En {
        return arg;
    }
    let heading = if arg.is_positional() {
        "help_words.arguments"
    } else {
        "help_words.options"
    };
    let defaults: Vec<String> = arg
        .get_default_values()
        .iter()
        .map(|v| v.to_string_lossy().into_owned())
        .collect();
    let shown_default = !defaults.is_empty()
        && !arg.is_hide_default_value_set()
        && !matches!(arg.get_action(), ArgAction::SetTrue | ArgAction::SetFalse);
    if shown_default {
        let help = arg.get_help().map(ToString::to_string).unwrap_or_default();
        let note = i18n::format(lang, "help_words.default", &[("value", defaults.join(","))]);
        arg = arg.help(format!("{help}{note}")).hide_default_value(true);
    }
    arg.help_heading(i18n::text(lang, heading))
}
