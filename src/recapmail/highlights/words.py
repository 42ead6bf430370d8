"""Word lists shared by the ranking and keyword steps, French and English together.

One set for both languages: recaps mix them ("le keynote", "la migration VMware"), and a French
stopword is never an English content word that matters here (or the reverse).
"""

from __future__ import annotations


def word_set(text: str) -> frozenset[str]:
    """A word list written as text, one space apart: easier to read and edit than a literal."""
    return frozenset(text.split())


STOPWORDS = word_set(
    """
    a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each even few for
    from further had has have having he her here hers herself him himself his how i if in into
    is it its itself just let me more most my myself no nor not now of off on once only or other
    our ours ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up upon very was we
    were what when where which while who whom why will with would you your yours yourself yet
    us via per among across within without along around like still well really quite much many
    one ones may might must shall also ever every whether either neither both though although
    au aux avec ce ces cet cette dans de des du elle elles en et eux il ils je la le les leur
    leurs lui ma mais me même mes moi mon ne nos notre nous on ou où par pas pour qu que qui sa
    se ses son sur ta te tes toi ton tu un une vos votre vous c d j l à m n s t y été étée
    étées étés étant suis es est sommes êtes sont serai sera serons seront serais serait
    étais était étions étiez étaient fus fut ai as avons avez ont aurai aura aurons auront
    avais avait avions aviez avaient eu ceci cela ça celui celle ceux celles comme aussi
    plus moins très tout tous toute toutes autre autres dont donc car ni si sans sous entre
    vers chez depuis pendant lors alors ainsi encore déjà bien peu trop non oui cela ici là
    quand comment pourquoi quel quelle quels quelles lequel laquelle chaque plusieurs certains
    certaines quelques afin selon après avant contre parmi via voici voilà
    """
)

# Words that never make a keyword on their own nor end a topic: time, quantity, vague nouns.
GENERIC = word_set(
    """
    first last next new many more most other several time times year years day days week weeks
    month months today yesterday tomorrow way ways thing things lot lots part parts kind number
    people everyone someone something anything nothing event events session sessions talk talks
    great good best better big huge important key main major strong clear really actually
    première premier premiers premières dernier dernière derniers dernières prochain prochaine
    nouveau nouvelle nouveaux nouvelles année années an ans jour jours semaine semaines mois fois
    chose choses façon manière partie gens personne personnes point points moment moments
    grand grande grands grandes petit petite bon bonne meilleur meilleure vraiment beaucoup
    également notamment aujourd'hui hier demain ailleurs effet cas sujet sujets type
    image images photo photos vidéo video slides slide lien link links article articles post
    blog here there this that these those thank thanks merci bravo following suivant suivante
    recap récap review résumé retours retour summary highlights highlight welcome bienvenue
    another true higher lower newest latest unique related ongoing makes make made provided
    provides covering helping real whole various ndlr n.d.l.r
    """
)

# Nationalities are not what an article is about. French writes them with a capital only as
# nouns ("le Français eNovance": the French company eNovance), so there they also end a name;
# English capitalises the adjective too, and "European Commission" or "French Tech" are names.
DEMONYMS_FR = word_set(
    """
    français française françaises allemand allemande allemands allemandes européen européenne
    européens européennes américain américaine américains américaines anglais anglaise anglaises
    britannique britanniques belge belges canadien canadienne canadiens canadiennes espagnol
    espagnole espagnols espagnoles italien italienne italiens italiennes chinois chinoise
    chinoises japonais japonaise japonaises indien indienne indiens indiennes néerlandais
    néerlandaise néerlandaises québécois québécoise québécoises
    """
)
DEMONYMS = DEMONYMS_FR | word_set(
    """
    french german european europeans american americans english british belgian canadian
    spanish italian chinese japanese indian dutch
    """
)

# Verbs and nouns that announce news: something happened, was decided, launched, counted.
NEWS_CUES = (
    "announc", "launch", "releas", "publish", "unveil", "introduc", "join", "became", "become",
    "won", "award", "record", "first", "inaugural", "new ", "newest", "approv", "acquir",
    "merg", "partner", "elect", "appoint", "select", "adopt", "deprecat", "graduat", "celebrat",
    "formed", "grew", "increas", "doubl", "growth", "surg", "reach", "migrat", "donat", "sign",
    "annonc", "lanc", "publi", "dévoil", "rejoin", "rejoint", "devient", "devenu", "nommé",
    "élu", "récompens", "premi", "nouvel", "nouveau", "approuv", "rachat", "rachet", "fusion",
    "partenariat", "adopt", "déprécié", "dépréci", "célébr", "hausse", "croissance", "doublé",
    "atteint", "record", "sortie", "sorti", "disponible", "available", "stable", "ga ",
    "intègre", "accepté", "accepted", "recognized", "winner", "lauréat", "alliance",
    "rapprochement", "commitment", "engagement", "white paper", "livre blanc", "whitepaper",
    "présenté", "présente", "presented", "showcas", "démontr", "demonstrat", "keynote",
    "talk sur", "talk on", "a donné", "gave a", "retour d'expérience", "rex sur",
)  # fmt: skip

# Sentences that set the scene, thank, or ask something of the reader rather than report.
CALL_TO_ACTION = (
    "check out", "join us", "join the", "register", "sign up", "visit ", "learn more",
    "read more", "find out", "reach out", "contact us", "follow us", "don't miss", "stay tuned",
    "see you", "hope to see", "click", "subscribe", "watch the", "you can find", "you can check",
    "if you missed", "if you couldn't", "are we missing", "n'hésitez", "inscrivez", "retrouvez",
    "rendez-vous", "suivez", "contactez", "abonnez", "découvrez", "à bientôt", "à demain",
    "vous pouvez", "rejoignez", "keep an eye", "mark these dates", "we look forward",
    "can't wait", "fill out", "please email", "for more information", "pour plus d'information",
    "à dans ", "a dans ", "à bientôt", "stay tuned", "restez connectés",
)  # fmt: skip
THANKS = (
    "thank", "thanks", "shout-out", "shout out", "kudos", "grateful", "merci", "bravo",
    "remercie", "remerciements", "special thanks",
)  # fmt: skip

# Common first names: alone, they name a person the reader does not know, not a topic to tag.
FIRST_NAMES = word_set(
    """
    adam adrien alain alan alex alexandre alexis alice aline amandine amelie amy andre andrea
    andrew angelique anne antoine arnaud arthur aurel aurelie aurelien baptiste benjamin benoit
    bernard bertrand bob boris bruno camille carlos caroline catherine cecile celine charles
    charlotte chloe chris christian christine christophe claire clement cyril damien daniel
    david denis didier dominique eric emilie emma emmanuel etienne fabien fabrice fanny florent
    florian francois frederic gabriel gaetan georges gerard gilles guillaume helene herve hugo
    isabelle jacques james jean jeremy jerome jessica joffrey john jonathan joseph josh julia
    julie julien juliette justin karine katia kevin laetitia laura laurent lea leo louis lucas
    lucie ludovic luc manon marc marie marine mark martin mathieu matthieu maxime michael
    michel mickael nathalie nicolas nico nida olivier pascal patrick paul philippe pierre
    quentin rachid raphael remi renaud richard robert romain sandrine sarah sebastien simon
    sophie stephane stephanie steve steven sylvain thierry thomas tom valentin valerie vincent
    william xavier yann yannick yves zineb
    """
)
