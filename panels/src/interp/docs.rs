//! What each control-port command does, for `/help` (control-spec §3).

/// One command of tor's control protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommandDoc {
    pub name: &'static str,
    pub usage: &'static str,
    pub summary: &'static str,
    pub description: &'static str,
}

const fn doc(
    name: &'static str,
    usage: &'static str,
    summary: &'static str,
    description: &'static str,
) -> CommandDoc {
    CommandDoc {
        name,
        usage,
        summary,
        description,
    }
}

pub const COMMANDS: &[CommandDoc] = &[
    doc("GETINFO", "GETINFO KEY [KEY …]", "asks tor for information", "Answers one value per key (version, address, fingerprint, ns/all, circuit-status, …). /help GETINFO lists every key tor knows."),
    doc("GETCONF", "GETCONF OPTION [OPTION …]", "the values of options", "Answers each option's value as tor runs it; a line list gives one line per value. /help GETCONF lists the options."),
    doc("SETCONF", "SETCONF OPTION[=VALUE] …", "changes options", "Sets each option as though read from the torrc; an option without a value is cleared. Several values of a line list are given as OPTION=V1 OPTION=V2. Not saved until SAVECONF."),
    doc("RESETCONF", "RESETCONF OPTION[=VALUE] …", "resets options to their defaults", "Like SETCONF, but an option without a value returns to tor's default."),
    doc("SAVECONF", "SAVECONF [FORCE]", "writes the running configuration to the torrc", "Replaces the torrc with tor's running configuration. tor refuses when the torrc uses %include unless FORCE is given; FORCE rewrites the including file whole."),
    doc("LOADCONF", "+LOADCONF\\r\\nTORRC TEXT\\r\\n.", "replaces the configuration with the text given", "tor reads the text as its torrc. A multi-line command: not typed here."),
    doc("SETEVENTS", "SETEVENTS [EXTENDED] [EVENT …]", "chooses the events sent on this connection", "Replaces the events this connection receives; no event turns them all off. Here it concerns the interpreter's own connection only: /events shows what arrives. /help SETEVENTS lists the events."),
    doc("SIGNAL", "SIGNAL NAME", "sends tor a signal", "RELOAD re-reads the torrc, NEWNYM switches to clean circuits, DUMP logs statistics, HALT stops tor, … /help SIGNAL lists them."),
    doc("MAPADDRESS", "MAPADDRESS OLD=NEW …", "maps addresses for streams", "Streams to OLD go to NEW instead; OLD may be 0.0.0.0, :: or . to let tor pick an unused address."),
    doc("EXTENDCIRCUIT", "EXTENDCIRCUIT ID [SERVER,…] [purpose=general|controller]", "builds or extends a circuit", "ID 0 builds a new circuit through the servers given (or ones tor picks); another id extends that circuit."),
    doc("SETCIRCUITPURPOSE", "SETCIRCUITPURPOSE ID purpose=general|controller", "changes a circuit's purpose", "Circuits of purpose controller are left for the controller to use."),
    doc("ATTACHSTREAM", "ATTACHSTREAM STREAMID CIRCUITID [HOP=n]", "attaches a stream to a circuit", "For streams left unattached (__LeaveStreamsUnattached); circuit 0 gives the stream back to tor."),
    doc("REDIRECTSTREAM", "REDIRECTSTREAM STREAMID ADDRESS [PORT]", "changes where a stream goes", "Only before the stream is attached."),
    doc("CLOSESTREAM", "CLOSESTREAM STREAMID REASON", "closes a stream", "REASON is a number from tor-spec's relay-end reasons (1: misc)."),
    doc("CLOSECIRCUIT", "CLOSECIRCUIT CIRCUITID [IfUnused]", "closes a circuit", "IfUnused closes it only when no stream uses it."),
    doc("POSTDESCRIPTOR", "+POSTDESCRIPTOR [purpose=…] [cache=yes|no]\\r\\nDESCRIPTOR\\r\\n.", "gives tor a server descriptor", "A multi-line command: not typed here."),
    doc("USEFEATURE", "USEFEATURE FEATURE …", "turns on protocol features", "On the interpreter's own connection only. VERBOSE_NAMES and EXTENDED_EVENTS are always on in current tor."),
    doc("RESOLVE", "RESOLVE [mode=reverse] ADDRESS …", "resolves addresses through tor", "Answers arrive as ADDRMAP events: SETEVENTS ADDRMAP first, then /events."),
    doc("PROTOCOLINFO", "PROTOCOLINFO [1]", "how to authenticate, and tor's version", "Answers the authentication methods, the cookie file and tor's version."),
    doc("AUTHENTICATE", "AUTHENTICATE [SECRET]", "authenticates the connection", "The interpreter's connection is authenticated already, as rnyx's is. Lines holding secrets are neither shown in clear nor kept in the history."),
    doc("AUTHCHALLENGE", "AUTHCHALLENGE SAFECOOKIE NONCE", "starts safe cookie authentication", "Done by rnyx when connecting."),
    doc("TAKEOWNERSHIP", "TAKEOWNERSHIP", "makes tor exit when this connection closes", "On the interpreter's connection, closing it (QUIT) would stop tor."),
    doc("DROPOWNERSHIP", "DROPOWNERSHIP", "undoes TAKEOWNERSHIP", "tor no longer exits when this connection closes."),
    doc("DROPGUARDS", "DROPGUARDS", "forgets the entry guards", "tor picks new guards. Rarely wise."),
    doc("DROPTIMEOUTS", "DROPTIMEOUTS", "forgets learned circuit build timeouts", "tor learns them again from new circuits."),
    doc("HSFETCH", "HSFETCH ADDRESS|v3-… [SERVER=…]", "fetches an onion service descriptor", "The result arrives as HS_DESC and HS_DESC_CONTENT events."),
    doc("HSPOST", "+HSPOST [SERVER=…] [HSADDRESS=…]\\r\\nDESCRIPTOR\\r\\n.", "uploads an onion service descriptor", "A multi-line command: not typed here."),
    doc("ADD_ONION", "ADD_ONION KEYTYPE:KEY Port=VIRT[,TARGET] [Flags=…]", "creates an onion service", "NEW:BEST makes a new key; the service lasts as long as this connection unless Flags=Detach."),
    doc("DEL_ONION", "DEL_ONION SERVICEID", "removes an onion service", "One made with ADD_ONION."),
    doc("ONION_CLIENT_AUTH_ADD", "ONION_CLIENT_AUTH_ADD ADDRESS x25519:KEY [ClientName=…] [Flags=Permanent]", "adds a client authorization key", "For v3 onion services that require it."),
    doc("ONION_CLIENT_AUTH_REMOVE", "ONION_CLIENT_AUTH_REMOVE ADDRESS", "removes a client authorization key", ""),
    doc("ONION_CLIENT_AUTH_VIEW", "ONION_CLIENT_AUTH_VIEW [ADDRESS]", "lists client authorization keys", ""),
    doc("QUIT", "QUIT", "closes the connection", "Closes the interpreter's own connection only; the next command opens a new one. The other pages keep theirs."),
];

/// What each signal does.
pub const SIGNALS: &[(&str, &str)] = &[
    ("RELOAD", "re-read the torrc (as SIGHUP)"),
    (
        "SHUTDOWN",
        "shut down cleanly, after ShutdownWaitLength for a relay",
    ),
    ("DUMP", "log statistics about connections and circuits"),
    (
        "DEBUG",
        "switch every log to debug level until the next RELOAD",
    ),
    ("HALT", "exit at once"),
    ("CLEARDNSCACHE", "forget the client DNS cache"),
    ("NEWNYM", "use clean circuits for new streams"),
    ("HEARTBEAT", "log a heartbeat message now"),
    ("DORMANT", "go dormant"),
    ("ACTIVE", "wake from dormancy"),
];
