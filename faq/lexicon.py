"""
Word lists for the suggestion engine, per language: stop words (function words
plus the polite filler of chat questions, which says nothing about the topic),
negations, and a bilingual concept lexicon of a web shop's customer service.

A concept gathers the words customers use for one thing, in English and
German: the names of it ("refund", "Rückerstattung") and the situations that
point to it ("the seam came open", "Reißverschluss kaputt" are a defect). The
engine stems and folds them like any other text and maps them, in entries and
questions alike, to one term per concept, so a question that says it in its
own words meets the entry that says it in the FAQ's. Phrases may contain a
negation ("not arrived", "nicht angekommen"): negations are kept only for
those phrases, since alone they say nothing about the topic.

Some concepts are shop topics an FAQ may not cover (loyalty points, gift
wrapping, jobs): when no entry mentions them, a question about them is about
something else, and the engine counts such a word fully against the entry
(an unknown word counts only half, as it may be a customer's own filler).

A support team adds its own words per entry in the entry's keywords.
"""

STOP_WORDS = {
    "en": """
a about above after again against all am an and any are aren't as at be because been before being below
between both but by can can't cannot could couldn't did didn't do does doesn't doing don't down during each
few for from further had hadn't has hasn't have haven't having he he'd he'll he's her here here's hers herself
him himself his how how's i i'd i'll i'm i've if in into is isn't it it's its itself let's me more most mustn't
my myself nor of on once only or other ought our ours ourselves out over own same shan't she she'd
she'll she's should shouldn't so some such than that that's the their theirs them themselves then there
there's these they they'd they'll they're they've this those through to too under until up very was wasn't we
we'd we'll we're we've were weren't what what's when when's where where's which while who who's whom why why's
with won't would wouldn't you you'd you'll you're you've your yours yourself yourselves
s t d ll m re ve im whats hows don doesn didn isn wasn aren couldn wouldn shouldn won haven hasn ca sha
hi hello hey dear thanks thank thx please pls plz question ask asking wonder wondering help know tell
want wanted wanna need like would could possible just really still also maybe anyone somebody someone
get got gets getting guys team support way something anything thing things ok okay yes now currently many much
anyway actually already stuff guys folks sorry hope kind regards best since yet even
somehow ever every able through there here go going went tried try first right
good morning evening afternoon night bye goodbye cheers great nice lovely awesome cool again usual usually
yesterday today tonight last roughly approximately currently find found look looking
happen happened problem problems issue issues urgent urgently asap finally sir madam appreciate told say said check
checked see saw seems seem perhaps probably anybody everything sort lot lots bit little though although however
quite pretty always often sometimes make made making offer offers second third fourth
one two three four five six seven eight nine ten eleven twelve twenty thirty
husband wife boyfriend girlfriend friend friends mum mom mother dad father sister brother aunt uncle
son daughter kids child children grandma grandmother grandpa family colleague
site website web page online app german english live lives living even rather sit around normal normally
big huge tiny happy unhappy sad annoyed annoying angry seen threw throw thrown away finish finished fine side
taken gave give given definitely typed type real keep keeping kept half next whole entire
work works worked wanna gonna gotta lemme u ur exactly surely sure simply honestly literally basically
apparently unfortunately luckily everyone yo hiya heya howdy
available availability policy policies conditions rules worn
""",
    "de": """
aber alle allem allen aller alles als also am an ander andere anderem anderen anderer anderes
anders auch auf aus bei bin bis bist da damit dann das dass daß dasselbe dazu dein deine deinem deinen
deiner deines dem demselben den denn denselben der derer derselbe derselben des desselben dessen dich die dies
diese dieselbe dieselben diesem diesen dieser dieses dir doch dort du durch ein eine einem einen einer eines
einig einige einigem einigen einiger einiges einmal er es etwas euch euer eure eurem euren eurer eures für
gegen gewesen hab habe haben hat hatte hatten hier hin hinter ich ihm ihn ihnen ihr ihre ihrem ihren ihrer
ihres im in indem ins ist jede jedem jeden jeder jedes jene jenem jenen jener jenes jetzt kann
können könnte machen man manche manchem manchen mancher manches mein meine meinem
meinen meiner meines mich mir mit muss musste nach noch nun nur ob oder ohne sehr sein seine
seinem seinen seiner seines selbst sich sie sind so solche solchem solchen solcher solches soll sollte
sondern sonst über um und uns unsere unserem unseren unser unseres unter viel vom von vor während war waren
warst was weg weil weiter welche welchem welchen welcher welches wenn werde werden wie wieder will wir wird
wirst wo wollen wollte würde würden zu zum zur zwar zwischen
hallo hi hey moin servus guten abend liebe lieber grüße gruß danke dank vielen bitte frage fragen
mal eigentlich denn gerne gern kurz irgendwie bzw ja nein okay ok wäre hätte gibt geht gehen möchte möchten
würde könnt könntet könnten wissen weiß sagen bräuchte brauche brauch hilfe helfen kann's möglich
gerade grad schon immer halt eben etwa hab habt leider bisher trotzdem irgendwas sachen ding dinge
wann warum wieso weshalb woher wohin seit beim gleich erst ersten gegangen ging super toll prima schön tschüss
nochmal nochmals erneut laut macht mach nächste gestern heute ungefähr circa ca letzte letzten finde finden findet gefunden
dürfen darf lassen lasse tun tue sehe worden passiert passieren schauen nachschauen sehen leute bitteschön
dringend schnellstmöglich endlich team mfg lg vg freundlichen problem probleme anliegen usw etc ähm äh naja klar
genau vielleicht wahrscheinlich irgendwann jemand niemand sowas sowie dabei daher deshalb trotz obwohl sobald
bevor nachdem seitdem falls zeug anbieten bietet zweite zweiten zweiter dritte dritten eins zwei drei vier fünf sechs sieben acht neun zehn elf zwölf zwanzig dreißig
mutter vater mama papa schwester bruder tante onkel oma opa sohn tochter kind kinder eltern mann frau freund freundin
freunde kollege kollegin nachbarin familie sehr geehrte geehrter damen herren
steht stand stehen lebt lebe leben wohnt wohne direkt klappt klappen plötzlich einfach vorher eher total normal
normalerweise üblicherweise künftig zukünftig heißt heisst reicht reichen besonderes besondere versuche versucht
woran liegt liegen lag davon dran drauf drin dahin her hin nehmen nehme nimmt glaube glauben denke denken ne nen
krieg kriege kriegen kriegt bekomme bekommen bekommt erhalte erhalten erhält heutigen heutige tagsüber
hinterlegt hinterlegte hinterlegten gespeichert gespeicherten geschrieben formular ausfüllen ausgefüllt
aufgemacht aufmachen geöffnet öffnen ausgepackt auspacken anderthalb paar nervt nervig seid sei rein raus
schreiben irgendwas sogar echt wirklich mega voll ganz komplett
verfügbar erhältlich bedingungen konditionen regeln getragen getragene benutzt
""",
}


# Words that turn a phrase around ("not arrived"); "n't" is read as "not".
NEGATIONS = {
    "en": "not no never cannot nothing none nobody dont doesnt didnt cant wont isnt hasnt havent wasnt arent couldnt",
    "de": "nicht kein keine keinen keiner keinem keines nie niemals nichts nix",
}

# Concepts that say how or when rather than what ("after a week", "the jacket"): when
# no entry mentions one, it counts as an unknown word, not as a topic the FAQ lacks.
GENERIC_CONCEPTS = {"duration", "item", "order", "change", "colour", "cost", "material"}

# concept: (English words and phrases, German words and phrases), comma-separated.
CONCEPTS = {
    # Getting the order.
    "arrive": (
        "arrive, arrival, arrived, come, came, coming, at my door, in transit, get here, on its way, make it, receive, "
        "recieve, expect, expected, show up, turn up, be here, get to me, reach me",
        "ankommen, angekommen, ankunft, kommt, kommen, kam, eintreffen, eingetroffen, unterwegs, erwarten, rechnen, "
        "damit rechnen, da sein, bei mir sein, hier sein, zugestellt werden, eintrudeln, eintrudelt, trudelt ein",
    ),
    "delivery": (
        "delivery, deliver, delivered, deliveries, dispatch, dispatched, send out, sent out, ship out, shipped, ship, "
        "express, send, sends, sending, sent, get them sent, shipping, posted, post out, go out, goes out, "
        "leave the warehouse",
        "lieferung, liefern, geliefert, lieferzeit, lieferdauer, liefertermin, zustellung, zustellen, versand, "
        "versenden, verschicken, verschickt, versandt, zuschicken, ausliefern, rausgehen, geht raus, versanddauer, "
        "express, losschicken, abschicken, hinschicken, schicken, schickt, geschickt, senden, verschicken lassen, "
        "rausschicken, rausgehen, losgeschickt, abgeschickt, versendet, versandfertig, verpackt",
    ),
    "duration": (
        "how long, long, fast, quick, quickly, soon, days, day, weeks, week, months, month, year, years, hours, hour, "
        "ago, wait, waiting, working days, business days, same day, time, monday, tuesday, wednesday, thursday, "
        "friday, saturday, sunday, weekend, tomorrow, next week, eta, estimated, minute, minutes, midday, noon, "
        "by when, how soon, asap delivery, until when",
        "wie lange, lange, dauert, dauern, dauer, schnell, bald, tage, tag, tagen, woche, wochen, monat, monaten, "
        "jahr, jahre, jahren, stunde, stunden, zeit, warten, wartezeit, werktage, werktagen, selben tag, montag, "
        "dienstag, mittwoch, donnerstag, freitag, samstag, sonntag, wochenende, nächste woche, voraussichtlich, "
        "minuten, mittag, vormittag, nachmittag, morgen, übermorgen, fix, flott, zügig, wie schnell, bis wann, "
        "ab wann, rechtzeitig, bis dahin",
    ),
    "parcel": ("parcel, parcels, package, packages, shipment, box", "paket, pakete, sendung, päckchen, karton"),
    "shipping_cost": (
        "shipping cost, shipping costs, postage, delivery fee, delivery charge, delivery charges, shipping fee, "
        "free shipping, free delivery, shipping charge, pay for delivery, pay for shipping, delivery cost",
        "versandkosten, porto, lieferkosten, versandgebühr, versandgebühren, versandkostenfrei, kostenloser versand, "
        "lieferung bezahlen, versand bezahlen, lieferung zahlen, versand zahlen",
    ),
    "cost": (
        "cost, costs, price, fee, fees, charge, charged, expensive, cheap, free, how much, minimum order, order value, "
        "included, extra, surcharge, euro, euros, pound, pounds, dollar, dollars, pay extra, costs extra, on you, "
        "on the house",
        "kosten, kostet, preis, gebühr, gebühren, teuer, günstig, gratis, kostenlos, umsonst, bestellwert, "
        "mindestbestellwert, inklusive, inbegriffen, extra, aufpreis, zuschlag, euro, aufschlag, zusätzlich, "
        "draufzahlen, zuzahlen, mehrkosten, frei",
    ),
    "abroad": (
        "abroad, international, internationally, overseas, another country, other countries, foreign, outside germany, "
        "eu, europe, austria, switzerland, swiss, uk, united kingdom, england, britain, norway, france, italy, spain, "
        "netherlands, belgium, poland, denmark, sweden, usa, america, canada, australia, japan, ireland, scotland, "
        "luxembourg, portugal, greece, czech republic, hungary, croatia, finland, liechtenstein, vienna, zurich, "
        "london, paris, amsterdam, country, countries, customs, duties, import duty, brexit, live abroad, "
        "outside the eu, non-eu, germany, german address",
        "ausland, international, österreich, schweiz, england, großbritannien, norwegen, frankreich, italien, spanien, "
        "niederlande, holland, belgien, polen, dänemark, schweden, usa, amerika, kanada, australien, japan, irland, "
        "schottland, luxemburg, portugal, griechenland, tschechien, ungarn, kroatien, finnland, liechtenstein, wien, "
        "zürich, london, paris, amsterdam, eu, europa, land, länder, ländern, zoll, zollgebühren, einfuhr, uk, "
        "vereinigtes königreich, brexit, dänemark, nicht-eu, außerhalb der eu, ausserhalb",
    ),
    "track": (
        "track, tracking, trace, tracking number, tracking link, tracking code, follow, status, order status, "
        "see where, where is my order, where is my parcel, where is my package, where my parcel, where my package, "
        "where my order, depot, distribution centre, distribution center, hub, sorting centre, where my stuff, "
        "shipping status, delivery status, track it, tracker, tracking page",
        "verfolgen, nachverfolgen, nachverfolgung, sendungsverfolgung, tracking, trackingnummer, sendungsnummer, "
        "trackinglink, trackingcode, status, bestellstatus, verfolgung, verteilzentrum, paketzentrum, sortierzentrum, "
        "depot, sendungsstatus, lieferstatus, wo steckt, wo bleibt, verfolgungsnummer, trackingseite, "
        "sendungsverfolgungsseite",
    ),
    "carrier": (
        "courier, carrier, postman, mailman, delivery driver, dhl, dpd, hermes, gls, fedex, post office, royal mail, "
        "usps, driver, delivery man, delivery guy, delivery company",
        "paketdienst, paketbote, versanddienstleister, postbote, dhl, ups, dpd, hermes, gls, fedex, post, "
        "deutsche post, bote, fahrer, paketfahrer, postfiliale, postamt, paketdienstleister",
    ),
    "missing": (
        "missing, lost, never arrived, not arrived, not arrive, not received, not receive, not get, never got, "
        "never came, not come, nowhere, never showed up, not showed up, never turned up, late, delayed, neighbour, "
        "neighbor, locker, parcel shop, vanished, stuck, overdue, stolen, disappeared, says delivered, still nothing, "
        "still not, still hasn't, still haven't, should have come, should have arrived, should have been here, "
        "nothing came, nothing arrived, nothing yet, never got it, gone, no sign, no parcel, no package, untraceable, "
        "vanished, lost in the post, not moved, hasn't moved, no update, no updates, not updated, marked as delivered, "
        "shows delivered",
        "fehlt, verloren, verschwunden, nie angekommen, nicht angekommen, nicht ankommen, nicht erhalten, "
        "nicht bekommen, nirgends, nicht aufgetaucht, nie aufgetaucht, nachbar, nachbarn, packstation, paketshop, "
        "vermisst, verschollen, verspätet, verspätung, überfällig, gestohlen, nie kam, verschlampt, verschlampen, "
        "unauffindbar, nicht auffindbar, ist weg, nicht da, noch nicht da, immer noch nicht, nichts eingetroffen, "
        "nicht eingetroffen, nichts angekommen, nichts gekommen, nix gekommen, nix da, nichts da, hängt, hängt fest, "
        "festhängen, hätte kommen sollen, sollte kommen, müsste da sein, da sein müssen, bleibt, "
        "benachrichtigungskarte, abholkarte, keine bewegung, nicht aktualisiert, angeblich zugestellt, "
        "als zugestellt markiert, zugestellt markiert, angeblich geliefert",
    ),
    "address": (
        "address, street, house number, postcode, post code, zip code, moved, move, moving, relocate, "
        "shipping address, delivery address, office, wrong street, different address, not at home, not home, redirect, "
        "forward, new address",
        "adresse, lieferadresse, anschrift, straße, hausnummer, postleitzahl, plz, umgezogen, umzug, umziehen, "
        "lieferanschrift, büro, str, anschrift, nicht zu hause, nicht daheim, umleiten, umleitung, weiterleiten, "
        "andere adresse, neue adresse, wohnort",
    ),
    "change": (
        "change, changing, modify, edit, update, correct, fix, amend, typo, mistake, by accident, accidentally, wrong, "
        "instead, elsewhere, add, added, adding, remove one item, remove an item, remove item, take off, take out, "
        "wrong one, change it",
        "ändern, änderung, korrigieren, aktualisieren, anpassen, bearbeiten, tippfehler, falsch, falsche, falschen, "
        "fehler, versehen, versehentlich, stattdessen, statt, anstatt, woanders, nachträglich, hinzufügen, "
        "dazubestellen, rausnehmen, herausnehmen, entfernen lassen, umändern, abändern, korrektur",
    ),
    # Sending back and money back.
    "return": (
        "return, returns, returning, returned, send back, sent back, sending back, give back, take back, return label, "
        "returns label, return slip, label, retour, return policy, return period, not like, not suit, changed my mind, "
        "not happy with, back, going back, goes back, go back, ship back, ship it back, ship things back, "
        "send them back, send it back, post it back, mail it back, bring back, drop off, hand in, return form, "
        "return it, return them",
        "rücksendung, rücksendungen, retoure, retouren, retournieren, zurückschicken, zurückgeschickt, zurücksenden, "
        "zurückgeben, rückgabe, zurücksendung, rücksendeschein, rücksendeetikett, retourenschein, retourenlabel, "
        "etikett, label, rückgaberecht, zurückgehen, zurück schicken, zurück senden, gefällt nicht, nicht gefallen, "
        "nicht gefällt, anders überlegt, zurück, zurückbringen, zurückgeben, abgeben, abgegeben, zurückgehen lassen, "
        "zurücksenden, zurückschicke, rückversand, retourenportal, retourenschein ausfüllen, zurücklassen",
    ),
    "refund": (
        "refund, refunded, refunds, money back, reimbursement, reimburse, repay, credited, credit back, paid back, "
        "money, amount, cash, paid back, pay back, my money, money returned, refund status, moneyback",
        "erstattung, rückerstattung, erstatten, erstattet, geld zurück, gutschrift, gutgeschrieben, zurückzahlen, "
        "rückzahlung, zurückbuchen, geld, betrag, kohle, kohle zurück, geld wieder, zurückerstattet, zurücküberwiesen, "
        "zurückgebucht, rückbuchung, erstattet bekommen",
    ),
    "exchange": (
        "exchange, exchanged, swap, trade, switch, replace, replacement, different size, medium instead, "
        "large instead, small instead, other size, another size, another colour, another color, swap it",
        "umtausch, umtauschen, tauschen, austauschen, eintauschen, wechseln, ersatz, umtauschen lassen, umgetauscht, "
        "eintauschen, andere farbe, anderen farbe, andere größe, anderen größe, tauscht um",
    ),
    "size": (
        "size, sizes, sizing, fit, fits, too small, too big, too large, too tight, bigger, smaller, larger, "
        "measurements, size chart, size guide, runs small, run small, runs large, tall, cm, wear, wearing, "
        "usually wear, normally wear, size up, size down, one size up, true to size, narrow, wide, cut, medium, large, "
        "small, xs, xl, xxl",
        "größe, größen, passform, passt, passen, größentabelle, zu klein, zu groß, größer, kleiner, maße, eng, "
        "größenberatung, ausfallen, fällt, cm, trage, tragen, trägt, nummer größer, nummer kleiner, "
        "eine nummer größer, eine nummer kleiner, geschnitten, schnitt, schmal, breit, schmaler, normal geschnitten, "
        "fällt klein aus, fällt groß aus",
    ),
    "colour": ("colour, color, colours, colors", "farbe, farben"),
    "damage": (
        "broken, broke, break, damaged, damage, defective, defect, faulty, fault, torn, tear, ripped, rip, hole, "
        "holes, stain, stained, stains, scratch, scratched, scratches, cracked, crack, shattered, smashed, dented, "
        "in pieces, seam, seams, stitching, came apart, fell apart, came open, come apart, came off, fell off, "
        "coming off, peeling, frayed, zipper, zip, button, sole, heel, poor quality, bad quality, complaint, complain, "
        "snapped, snap, washed out, faded, fade, shrunk, shrank, shrink, pilling, unravel, unravelled, loose thread, "
        "leaking, leak, bent, wobbly, flaw, flawed, dent, chipped, quality, malfunction, discoloured, discolored, "
        "ruined, destroyed, hinge, scratch, scratches, stain, bleed, bled, colour ran, dye, jammed, stuck zipper, "
        "sticks, broken zipper, cracked screen, arrived broken, in shards",
        "kaputt, beschädigt, beschädigung, schaden, defekt, zerbrochen, mangelhaft, mangel, reklamation, reklamieren, "
        "gerissen, riss, loch, löcher, fleck, flecken, kratzer, zerkratzt, gebrochen, scherben, naht, nähte, "
        "aufgegangen, aufgeplatzt, gelöst, abgefallen, abgerissen, reißverschluss, knopf, sohle, absatz, "
        "schlechte qualität, beschwerde, beschweren, verbogen, delle, gesprungen, verblasst, ausgewaschen, "
        "eingelaufen, fehlerhaft, ausgefranst, undicht, wackelt, abgeplatzt, verformt, qualität, ausgeblichen, "
        "verwaschen, transportschaden, versandschaden, verfärbt, minderwertig, hinüber, ruiniert, zerstört, "
        "kaputtgegangen, scharnier, abgefärbt, abfärben, färbt ab, fleckig, verfärbt, klemmt, klemmen, hakt, "
        "ausgerissen, eingerissen, aufgerissen, kaputtgemacht, zerbrochen, zersplittert, angeschlagen, gesplittert, "
        "zerdrückt, eingedellt",
    ),
    "malfunction": (
        "not working, not work, stopped working, stop working, not function, not turn on, dead, does not work, "
        "won't turn on, keeps stopping",
        "funktioniert nicht, nicht funktioniert, nicht funktionieren, klappt nicht, bleibt stehen, stehen geblieben, "
        "stehengeblieben, geht nicht mehr, geht nicht, läuft nicht, funktioniert nicht mehr, tut nicht",
    ),
    "warranty": (
        "warranty, guarantee, guaranteed, repair, repaired, repairs, covered, statutory, goodwill, claim, "
        "repair service, warranty period, still covered, fix it, get it fixed",
        "garantie, gewährleistung, reparatur, reparieren, repariert, herstellergarantie, abgedeckt, abgesichert, "
        "kulanz, reparaturservice, reparieren lassen, garantiezeit, garantiefall, noch garantie",
    ),
    # Paying.
    "payment": (
        "pay, payment, payments, paying, paid, checkout, payment method, payment methods, payment options, pay with, "
        "means of payment, pay by, options, bank, pay for, pay at, payment step, checkout page",
        "bezahlen, zahlung, zahlen, bezahlung, zahlungsart, zahlungsarten, zahlungsmethode, zahlungsmöglichkeiten, "
        "bezahlt, gezahlt, kasse, zahlungsoptionen, optionen, checkout, bezahlvorgang, zahlungsvorgang, bank, "
        "bezahlseite",
    ),
    "card": (
        "card, credit card, credit cards, debit card, visa, mastercard, amex, american express",
        "karte, kreditkarte, kreditkarten, visa, mastercard, amex, american express, ec karte, kartendaten",
    ),
    "wallet": (
        "paypal, apple pay, applepay, google pay, googlepay, direct debit, sepa, klarna, cash on delivery, "
        "instalments, installments, prepayment, advance payment",
        "paypal, apple pay, applepay, google pay, googlepay, lastschrift, bankeinzug, sepa, klarna, nachnahme, "
        "ratenzahlung, raten, ratenkauf, vorkasse, sofortüberweisung",
    ),
    "pay_later": (
        "pay later, paying later, pay afterwards, buy now pay later, invoice payment, on invoice, by invoice, "
        "pay the invoice, bank transfer, transfer, wire, credit check, on account, buying on account, pay after, "
        "pay once, pay when it arrives, after delivery, pay after delivery, after receiving, try first, try on first",
        "später bezahlen, später zahlen, nach erhalt, kauf auf rechnung, auf rechnung, per rechnung, rechnungskauf, "
        "überweisung, überweisen, zahlungsziel, zahlungsfrist, bonität, bonitätsprüfung, erst zahlen, erst bezahlen, "
        "danach zahlen, danach bezahlen, nachher zahlen, nachher bezahlen, hinterher zahlen, hinterher bezahlen, "
        "anprobieren, erst anprobieren, bei erhalt, nach lieferung",
    ),
    "invoice": (
        "invoice, invoices, bill, bills, receipt, receipts, invoice copy, copy, proof of purchase, tax invoice, "
        "download, pdf, copy of the invoice, proof, order confirmation",
        "rechnung, rechnungen, quittung, beleg, rechnungskopie, kaufbeleg, kopie, kassenbon, kaufnachweis, "
        "kaufbestätigung, nachweis, herunterladen, runterladen, downloaden, download, pdf",
    ),
    "business": (
        "company, business, firm, corporate, vat, vat id, vat number, tax number, tax id, company name, "
        "business address, company details",
        "firma, firmen, firmenname, firmenkunde, unternehmen, gewerblich, gewerbe, umsatzsteuer, ust, ust idnr, "
        "ust id, umsatzsteuer id, steuernummer, firmenadresse, firmendaten, geschäftskunde, geschäftskunden",
    ),
    "failed": (
        "failed, fail, fails, declined, decline, refused, error, bounced, charged twice, card limit, unsuccessful, "
        "not successful, not go through, not going through, crashes, crash, crashed, not authorised, not authorized, "
        "unauthorized, authorisation, error message, rejected payment, timed out, keeps failing, always fails, abort, "
        "aborts, aborted",
        "fehlgeschlagen, abgelehnt, fehlermeldung, nicht durchgegangen, geklappt, doppelt abgebucht, kartenlimit, "
        "limit, nicht autorisiert, autorisierung, abgebrochen, bricht ab, geht nicht durch, nicht durchgegangen, "
        "nicht geklappt, zahlungsfehler, fehlgeschlagene, nicht möglich zu zahlen, schlägt fehl, bricht",
    ),
    # The customer account.
    "account": (
        "account, customer account, profile, user account",
        "konto, kundenkonto, account, profil, benutzerkonto, kundenkontos",
    ),
    "register": (
        "register, registration, signup, sign up, create account, open account, new account, make an account, "
        "create an account, open an account, guest, without an account, make a customer account, make an account, "
        "create a customer account, open a customer account, set up an account, sign me up",
        "registrieren, registrierung, konto erstellen, konto anlegen, konto eröffnen, neues konto, anlegen, erstellen, "
        "eröffnen, gastbestellung, ohne konto, als gast, konto machen, konto einrichten, einrichten, "
        "kundenkonto anlegen, kundenkonto erstellen, kundenkonto eröffnen, anmelden als neukunde, neukunde",
    ),
    "login": (
        "log in, log into, login, signin, sign in, logon, log on, locked out, get in, access, can't get in, locked, "
        "blocked, too many attempts, attempts",
        "einloggen, login, anmeldung, reinkommen, komme nicht rein, komme nicht, zugang, gesperrt, eingeloggt, "
        "reinkommen, gesperrt, blockiert, zu vielen versuchen, nicht einloggen, nicht anmelden",
    ),
    "password": ("password, passcode, passphrase, pw, credentials", "passwort, kennwort, zugangsdaten, pw"),
    "forgot": (
        "forgot, forget, forgotten, not remember, reset, new password",
        "vergessen, zurücksetzen, neues passwort",
    ),
    "email": (
        "email, e-mail, e mail, mail address, email address, emails, e-mails, mail, e-mail address, email adress",
        "email, e-mail, mailadresse, emailadresse, e-mail-adresse, mail, mails, e-mail, mailadresse, emailadresse, "
        "uni-adresse, e-mail adresse",
    ),
    "newsletter": (
        "newsletter, newsletters, marketing, marketing emails, promotional, promotions, advertising, ads, spam, "
        "mailing list, offers emails, promo emails, deals emails, daily emails",
        "newsletter, werbung, werbemails, werbe-mails, werbe-e-mails, werbe, marketing, spam, angebote, angebotsmails, "
        "werbemail, werbung per mail, rundmail, mailings",
    ),
    "unsubscribe": (
        "unsubscribe, opt out, stop, stop sending, make it stop, no more emails, stop emailing, stop the emails",
        "abmelden, abbestellen, austragen, aufhören, nicht mehr schicken, abschalten, nicht mehr zuschicken, "
        "keine mails mehr, keine e-mails mehr, keine werbung mehr",
    ),
    "delete": (
        "delete, deleted, remove, erase, close, get rid of, deactivate, wipe, close my account, remove my account, "
        "delete my data, no longer want, not want an account, erasure",
        "löschen, gelöscht, entfernen, auflösen, schließen, deaktivieren, kündigen, loswerden, löschung, "
        "löschen lassen, kein konto mehr, alles weg, alles löschen, daten löschen, entfernen, abmelden vom konto",
    ),
    "data": (
        "data, personal data, my data, gdpr, privacy, data protection, personal details, stored data, my details",
        "daten, persönliche daten, dsgvo, datenschutz, gespeicherten daten, gespeicherte daten, meine daten, "
        "personenbezogene daten",
    ),
    "voucher": (
        "voucher, vouchers, coupon, coupons, promo code, promo, discount code, gift code, gift card, giftcard, "
        "gift voucher, code, gift voucher, gift card code, voucher code, promotional code, discount voucher",
        "gutschein, gutscheine, gutscheincode, rabattcode, aktionscode, coupon, geschenkkarte, geschenkgutschein, "
        "promocode, code, geschenkkartencode, gutscheinkarte, wertgutschein, geschenkkarten-code, geschenkkartencode, "
        "gutscheinnummer",
    ),
    # A discount as such (for students, for three items) is a scheme, not a code to redeem.
    "discount": ("discount, discounts, reduction, reduced", "rabatt, rabatte, nachlass, ermäßigung, reduziert"),
    "redeem": (
        "redeem, apply, applied, use, enter, put in, insert, combine, where do I enter, put the code, type in, "
        "where to put",
        "einlösen, eingeben, anwenden, verwenden, benutzen, nutzen, kombinieren, einlösbar, eintragen, eingetragen, "
        "reinschreiben, eintippen, einsetzen, einfügen, hinterlegen, anrechnen, wo kommt",
    ),
    "invalid": (
        "invalid, not valid, rejected, expired, not apply, not applied, not accepted, not deducted, unknown, "
        "not recognised, not recognized, says unknown, won't work, not taken, not accepted",
        "ungültig, abgelaufen, nicht gültig, nicht abgezogen, nicht angenommen, nicht akzeptiert, nicht erkannt, "
        "wird nicht erkannt, nicht anwenden, nicht einlösen, nicht einlösbar, lässt sich nicht, nicht angewendet, "
        "unbekannt",
    ),
    "cancel": (
        "cancel, cancelled, canceled, cancellation, revoke, withdraw, undo, stop my order, not want anymore, call off, "
        "call it off, ordered twice, double order, ordered by mistake, by mistake ordered, not want it anymore, "
        "don't want it anymore",
        "stornieren, storniert, stornierung, storno, widerrufen, widerruf, rückgängig, bestellung stoppen, abbrechen, "
        "zurückziehen, streichen, gestrichen, zurücktreten, rücktritt, vom kauf zurücktreten, doppelt bestellt, "
        "zweimal bestellt, versehentlich bestellt, nicht mehr haben, will es nicht mehr, bestellung zurückziehen",
    ),
    "order": (
        "order, orders, ordered, ordering, purchase, purchased, bought, buy, placed",
        "bestellung, bestellungen, bestellen, bestellt, kauf, gekauft, kaufen, aufgegeben",
    ),
    "phone": (
        "phone, call, calling, hotline, telephone, phone number, phone line, ring, number to call, callback, number, "
        "numbers, dial, ring you, speak to someone on the phone, on the phone, by phone",
        "telefon, anrufen, hotline, telefonisch, telefonnummer, rufnummer, telefonhotline, anruf, rückruf, "
        "zurückrufen, nummer, anrufe, telefonieren, durchwahl, am telefon",
    ),
    "contact": (
        "contact, customer service, customer care, reach, reachable, contact form, chat, agent",
        "kontakt, kundenservice, kundendienst, erreichen, erreichbar, kontaktformular, chat, ansprechpartner",
    ),
    "item": (
        "item, items, product, products, article, clothes, clothing, dress, shirt, t-shirt, blouse, jacket, coat, "
        "trousers, pants, jeans, shoes, shoe, boots, sneakers, sweater, jumper, hoodie, pullover, skirt, bag, pair, "
        "strap, handle, laces, lace, sock, socks, scarf, sunglasses, glasses, watch, mug, cup, plate, t-shirt, tshirt, "
        "jumper, cardigan, shorts, hat, cap, gloves, belt, wallet, purse, backpack, jeans, leggings, top, sweatshirt, "
        "gift, gifts, present",
        "artikel, produkt, produkte, kleidung, kleid, hemd, shirt, bluse, jacke, mantel, hose, jeans, schuhe, schuh, "
        "stiefel, pullover, pulli, rock, tasche, riemen, griff, henkel, schnürsenkel, socke, socken, schal, "
        "sonnenbrille, brille, tasse, becher, teller, sneaker, sneakers, t-shirt, mütze, kappe, handschuhe, gürtel, "
        "geldbörse, rucksack, wintermantel, lederjacke, lederjacken, teil, oberteil, sachen bestellt, geschenk, "
        "geschenke",
    ),
    # Shop topics an FAQ may leave out.
    "gift_wrap": (
        "gift wrap, gift wrapping, gift box, wrapped as a gift",
        "geschenkverpackung, als geschenk verpacken",
    ),
    "loyalty": (
        "loyalty, points, bonus points, reward, rewards, loyalty programme, loyalty program, membership, member, "
        "members, loyalty card, customer card, perks, benefits, vip",
        "treuepunkte, punkte, bonuspunkte, prämien, treueprogramm, bonusprogramm, mitgliedschaft, mitglied, "
        "mitglieder, payback, kundenkarte, vorteile, vorteilen, vorteilsprogramm, vip",
    ),
    "student": ("student, students, university, college", "student, studenten, studentenrabatt, uni, universität"),
    "price_match": (
        "price match, price matching, match prices, cheaper elsewhere",
        "preisabgleich, bestpreis, tiefpreisgarantie, woanders billiger",
    ),
    "store": (
        "store, stores, branch, outlet, boutique, shop in, opening hours",
        "filiale, laden, geschäft, ladengeschäft, öffnungszeiten",
    ),
    "job": (
        "job, jobs, hiring, career, careers, vacancy, vacancies, internship, internships, apprenticeship, employer",
        "job, jobs, stellenangebot, stellenangebote, offene stellen, karriere, bewerbung, bewerben, praktikum, "
        "praktika, ausbildung, arbeitgeber",
    ),
    "partner": (
        "franchise, partner, partnership, affiliate, reseller, wholesale, supplier, influencer, influencers, "
        "collaboration, collab, sponsorship, sponsor, ambassador",
        "franchise, partner, partnerschaft, affiliate, händler, wiederverkäufer, großhandel, lieferant, influencer, "
        "follower, kooperation, sponsoring, sponsor, markenbotschafter",
    ),
    "stock": (
        "in stock, stock, out of stock, back in stock, restock, sold out, available again",
        "auf lager, vorrätig, ausverkauft, wieder verfügbar, lieferbar, nachbestellt",
    ),
    "sale": ("sale, sales, black friday, clearance", "sale, schlussverkauf, ausverkauf, black friday"),
    "sustainability": (
        "sustainable, sustainably, organic, eco, vegan, fair trade, recycled",
        "nachhaltig, nachhaltigkeit, bio, öko, vegan, veganem, fair, recycelt",
    ),
    "material": (
        "material, fabric, cotton, wool, leather, polyester, silk, linen, waterproof",
        "material, stoff, baumwolle, leder, polyester, seide, leinen, wasserdicht",
    ),
}
