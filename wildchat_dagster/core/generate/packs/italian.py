"""Italian: hand-written sentences, cues and templates."""

from __future__ import annotations

from .pack import make_pack

ITALIAN = make_pack(
    code="it",
    weight=1.6,
    faker_locale="it_IT",
    accept_languages=("it-IT,it;q=0.9,en-US;q=0.8,en;q=0.7", "it,en-US;q=0.7,en;q=0.3"),
    countries=(("IT", 95), ("CH", 5)),
    chars_per_token=3.2,
    length_factor=1.0,
    sep=" ",
    topics=(
        "cambiamento climatico",
        "storia dell'Impero romano",
        "intelligenza artificiale in medicina",
        "lavoro da remoto",
        "social network e adolescenti",
        "energie rinnovabili",
        "gestione del tempo per gli studenti",
        "auto elettriche",
        "importanza del sonno",
        "esplorazione dello spazio",
    ),
    requests=(
        "Scrivi un saggio sul tema «{topic}».",
        "Puoi scrivere un testo di 500 parole sul tema «{topic}» per la mia lezione di italiano?",
        "Spiegami con parole semplici l'argomento «{topic}».",
        "Scrivi un breve racconto ispirato al tema «{topic}».",
        "Dammi cinque curiosità sul tema «{topic}».",
        "Scrivi un discorso convincente sul tema «{topic}» per un dibattito a scuola.",
        "Riassumi i principali argomenti a favore e contro sul tema «{topic}».",
        "Prepara una scaletta dettagliata per una tesina sul tema «{topic}».",
    ),
    context=(
        "Il testo deve essere formale e ben strutturato.",
        "Per favore, usa un linguaggio semplice.",
        "La professoressa chiede almeno tre paragrafi e una conclusione.",
        "Aggiungi qualche esempio della vita quotidiana.",
        "Devo consegnarlo domani mattina, quindi fallo dettagliato.",
        "Non usare elenchi puntati, scrivi un testo continuo.",
        "I lettori sono studenti delle superiori che non sanno nulla dell'argomento.",
        "Voglio che sembri naturale e non scritto da una macchina.",
    ),
    followups=(
        "Puoi renderlo più lungo e aggiungere più dettagli?",
        "Riscrivilo con un tono più formale, per favore.",
        "Fallo più breve, circa duecento parole.",
        "Puoi aggiungere un paragrafo di conclusione?",
        "Dammi tre possibili titoli per questo testo.",
        "Grazie! Puoi anche spiegare perché è importante?",
        "Continua da dove ti sei fermato.",
    ),
    shorts=(
        "ciao, come stai?",
        "grazie mille per l'aiuto",
        "continua per favore",
        "parli italiano?",
        "buongiorno a tutti",
    ),
    greeting_replies=(
        "Ciao! Come posso aiutarti oggi?",
        "Prego! Se hai altre domande, sono qui per aiutarti.",
    ),
    openers=(
        "Certo! Ecco un saggio sul tema «{topic}».",
        "Certamente. Di seguito trovi una risposta dettagliata sul tema «{topic}».",
        "Volentieri, ti spiego passo dopo passo l'argomento «{topic}».",
        "Ottima domanda. Ecco cosa si può dire a questo proposito.",
    ),
    body=(
        "Negli ultimi anni questo tema è diventato uno dei più discussi al mondo.",
        "Ci sono diversi fattori importanti da tenere in considerazione.",
        "Prima di tutto, è fondamentale capire il contesto storico.",
        "Molti esperti ritengono che la situazione cambierà molto nel prossimo decennio.",
        "D'altra parte, alcune persone sostengono che i rischi siano spesso esagerati.",
        "Per esempio, uno studio recente ha dimostrato che piccole abitudini quotidiane possono fare una "
        "grande "
        "differenza.",
        "Questo ha un impatto diretto sull'economia, sull'istruzione e sulla vita delle persone comuni.",
        "Vale anche la pena ricordare che i governi svolgono un ruolo chiave in questo processo.",
        "Di conseguenza, sempre più aziende investono in nuove soluzioni.",
        "Tuttavia, c'è ancora molto lavoro da fare.",
        "Un altro aspetto fondamentale è il ruolo della tecnologia e dell'innovazione.",
        "Inoltre, la consapevolezza dell'opinione pubblica è cresciuta molto negli ultimi anni.",
        "In conclusione, si tratta di una questione complessa che richiede una riflessione attenta.",
    ),
    closers=(
        "Spero che ti sia utile! Fammi sapere se vuoi modificare qualcosa.",
        "Se hai bisogno di più dettagli o di uno stile diverso, chiedi pure.",
        "In bocca al lupo per il tuo compito!",
    ),
    code_requests=(
        "Scrivi una funzione Python che legga un file CSV e calcoli la media di ogni colonna.",
        "Perché questo codice non funziona? Quando lo eseguo ricevo un errore.",
        "Puoi aiutarmi a correggere questa funzione? Restituisce un risultato sbagliato.",
    ),
    code_paste="Ecco il mio codice:",
    code_intros=("Ecco una versione corretta del tuo codice:", "Ecco un esempio funzionante:"),
    code_notes=(
        "Per prima cosa la funzione controlla che l'input sia valido.",
        "Puoi eseguirla dalla riga di comando con Python 3.",
        "Assicurati che il percorso del file sia corretto.",
        "Ho aggiunto dei commenti per spiegare ogni passaggio.",
    ),
    paste_requests=("Correggi gli errori nel testo seguente:", "Riassumi questo testo in tre frasi:"),
    pii={
        "PERSON": ("Mi chiamo {value}.", "\nCordiali saluti, {value}"),
        "EMAIL_ADDRESS": ("La mia email è {value}.",),
        "PHONE_NUMBER": ("Puoi chiamarmi al numero {value}.",),
        "CREDIT_CARD": (
            "Il numero della mia carta di credito è {value}, perché il pagamento è stato rifiutato?",
        ),
        "ADDRESS": ("Il mio indirizzo è {value}.",),
    },
    phone_formats=("+39 34# ### ####", "+39 33# ### ####"),
    salutation="Caro {value},",
    refusals=(
        "Mi dispiace, ma non posso aiutarti con questa richiesta.",
        "Come assistente di intelligenza artificiale devo rispettare delle regole e non posso creare questo "
        "tipo "
        "di contenuti.",
    ),
    biography="Scrivi una breve biografia di {name}.",
)
