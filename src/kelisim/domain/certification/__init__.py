"""The certification registry: certified information protection tools and mutual recognition.

Art. 2 of the Agreement defines an *information protection tool* and the *certification of
conformity* to information-protection requirements; Art. 3 (direction 14) asks the Parties for an
agreed procedure for certifying such tools and for the mutual recognition of the results. This
package is the pure core of that registry:

* `schemes`      a Party's certification scheme, its requirement documents and their ordered
                 scales of classes or levels, tool categories, what the scheme makes public;
* `lifecycle`    a certificate and its lifecycle events (issued, amended, maintenance,
                 suspended, reinstated, withdrawn, expired); the state is *derived* by replaying
                 the events, never overwritten;
* `recognition`  recognition arrangements between schemes (caps per document and technical
                 domain, producing/consuming roles, dates in force, ageing out);
* `verification` the rule answering "is certificate N valid in Party P on day D, and why?";
* `ccra`         the Common Criteria certified products list layout (CSV import/export);
* `stix`         a certificate event as STIX 2.1 objects for the exchange (Art. 9).

Dates follow one convention (docs/decisions/0009-certification-dates.md): every date names the
start of the day on which something begins; periods are half-open [start, end).
"""
