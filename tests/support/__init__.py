"""
What the tests and the benchmarks (bench/) share: real server processes and
helper servers (Daphne, redis-server, a DNS and an SMTP server, a host site),
and clients of the project's HTTP and websocket interfaces.

    servers      Daphne processes, a host site on another origin, free ports
    redisserver  a redis-server of a test's own, to kill and restart
    dnsserver    an authoritative DNS server for the e-mail check (fixtures)
    smtpserver   an SMTP server that keeps what it receives (fixture)
    http         the widget's JSON calls through Django's test client
    sockets      both websockets through Channels' test communicator
    wsclient     a client of the websocket protocol for real server processes
    settings     the production settings with a fast password hasher (tests only)
    browser      how Chromium is launched
    axe          axe-core's critical and serious violations in a Playwright page
    layout       clipped labels and sideways scrolling in a Playwright page
"""
