"""What an upload's report says of each row or document refused, and of each one recorded with something to check,
in the back office's language: one sentence per `ponte.domain.uploads.RowCode`, filled from the problem's facts
(fields named as the CSV's columns name them, numbers written as the language writes them, values from the file
quoted). A code without a sentence (written by an older version) or a fact its sentence needs and the problem lacks
gives the general sentence: the report's `reason` then says it in English for whoever debugs the file."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, cast

from ponte.messages.formatting import Formatter
from ponte.messages.texts.invoices import CSV_COLUMNS

if TYPE_CHECKING:
    from ponte.domain.accounts import Locale
    from ponte.domain.uploads import RowCode

# Fields as a domain model or a JSON document names them, where the CSV's columns do not.
_FIELDS: dict[Locale, dict[str, str]] = {
    "pt-BR": {
        "total": "total",
        "installments": "parcelas",
        "issuer": "emitente",
        "name": "nome",
        "reference": "código do cliente",
        "description": "descrição",
        "quantity": "quantidade",
        "kind": "tipo",
        "key": "chave",
        "items": "itens",
        "invoice_number": "número da fatura",
        "customer_email": "e-mail do cliente",
        "customer_phone": "telefone do cliente",
        "customer_mobile": "celular do cliente",
        "customer_name": "nome do cliente",
        "series": "série",
    },
    "es": {
        "total": "total",
        "installments": "cuotas",
        "issuer": "emisor",
        "name": "nombre",
        "reference": "código de cliente",
        "description": "descripción",
        "quantity": "cantidad",
        "kind": "tipo",
        "key": "clave",
        "items": "artículos",
        "invoice_number": "número de factura",
        "customer_email": "correo electrónico del cliente",
        "customer_phone": "teléfono del cliente",
        "customer_mobile": "móvil del cliente",
        "customer_name": "nombre del cliente",
        "series": "serie",
    },
    "en": {
        "total": "total",
        "installments": "installments",
        "issuer": "issuer",
        "name": "name",
        "reference": "customer reference",
        "description": "description",
        "quantity": "quantity",
        "kind": "kind",
        "key": "key",
        "items": "items",
        "invoice_number": "invoice number",
        "customer_email": "customer e-mail",
        "customer_phone": "customer phone",
        "customer_mobile": "customer mobile",
        "customer_name": "customer name",
        "series": "series",
    },
}

_WHAT: dict[Locale, dict[str, str]] = {
    "pt-BR": {
        "boletos": "boletos",
        "payment_links": "links de pagamento",
        "mobiles": "celulares",
        "phones": "telefones",
        "languages": "idiomas",
        "unknown": "não é ninguém do diretório da equipe",
        "ambiguous": "corresponde a várias pessoas do diretório da equipe",
        "inactive": "não está ativo no diretório da equipe",
    },
    "es": {
        "boletos": "boletos",
        "payment_links": "enlaces de pago",
        "mobiles": "móviles",
        "phones": "teléfonos",
        "languages": "idiomas",
        "unknown": "no es nadie del directorio del equipo",
        "ambiguous": "corresponde a varias personas del directorio del equipo",
        "inactive": "no está activo en el directorio del equipo",
    },
    "en": {
        "boletos": "boletos",
        "payment_links": "payment links",
        "mobiles": "mobiles",
        "phones": "phones",
        "languages": "languages",
        "unknown": "is nobody in the staff directory",
        "ambiguous": "names several people in the staff directory",
        "inactive": "is not active in the staff directory",
    },
}

_ORDERS: dict[Locale, dict[str, str]] = {
    "pt-BR": {"dmy": "dia/mês/ano", "mdy": "mês/dia/ano"},
    "es": {"dmy": "día/mes/año", "mdy": "mes/día/año"},
    "en": {"dmy": "day/month/year", "mdy": "month/day/year"},
}

_ENCODINGS = {"utf-8": "UTF-8", "cp1252": "Windows-1252", "latin-1": "ISO-8859-1", "utf-16": "UTF-16"}

ROWS: dict[Locale, dict[RowCode, str]] = {
    "pt-BR": {
        "unreadable": "não foi possível ler esta linha ou documento",
        "invalid_field": "{field}: valor inválido",
        "missing_field": "{field}: não preenchido",
        "too_long": "{field}: mais de {limit} caracteres",
        "too_many": "{field}: mais de {limit}",
        "unknown_field": "{field}: campo desconhecido numa fatura",
        "missing_customer": "falta o cliente: informe o nome, o CNPJ/CPF ou o código do cliente",
        "not_positive": "o valor {value} deve ser maior que zero",
        "unknown_currency": "{value} não é uma moeda conhecida: use um código como BRL, USD ou EUR",
        "not_amount": "{value} não é um valor",
        "amount_not_cents": "o valor {value} não é um número inteiro de centavos, como diz o cabeçalho {column}",
        "cents_currency": "{currency} não tem centavos, em que o cabeçalho {column} diz estarem os valores",
        "too_many_decimals": "o valor {value} tem mais de {places} casas decimais, o que {currency} não permite",
        "amount_too_large": "o valor {value} passa do maior valor aceito",
        "other_currency": "o valor {value} não está na moeda da fatura ({currency})",
        "not_date": "{value} não é uma data: use dd/mm/aaaa",
        "no_such_date": "a data {value} não existe no calendário",
        "implausible_date": "{field}: {date} está a mais de {years} anos da data do envio; confira o ano",
        "access_key_length": "a chave de acesso {value} não tem 44 dígitos",
        "access_key_digit": "a chave de acesso {value} foi digitada errada: o dígito verificador não confere",
        "not_bank_slip": "o boleto {value} não é um nosso número nem uma linha digitável",
        "not_https": "o link de pagamento {value} não é um endereço https://",
        "formula": "{field} começa com {character}, que uma planilha executaria como fórmula: não registrada",
        "formula_name": (
            "o nome do cliente começa com {character}, que uma planilha executaria como fórmula, e nada mais "
            "identifica o cliente: informe o CNPJ/CPF ou o código do cliente"
        ),
        "party_unidentified": "falta o cliente: informe o nome, o CNPJ/CPF ou o código do cliente",
        "issuer_unidentified": (
            "falta o emitente: o documento não diz nem o nome nem o número fiscal (CNPJ, CPF ou equivalente) de quem "
            "o emitiu"
        ),
        "installment_not_positive": "uma parcela deve ter valor maior que zero",
        "mixed_currency": "todos os valores da fatura {number} devem estar em {currency}",
        "credit_note_positive": "uma nota de crédito reduz o que é devido: o total não pode ser positivo",
        "not_collectable_installments": "a fatura {number} não é cobrável, então não pode ter parcelas",
        "no_due_date": "a fatura {number} tem valor a receber, mas falta o vencimento",
        "owes_nothing_installments": "a fatura {number} não cobra nada, então não pode ter parcelas",
        "repeated_installment": "a fatura {number} repete um número de parcela",
        "installments_sum": "as parcelas da fatura {number} somam {billed}, e não o total de {total}",
        "already_paid": "a fatura {number} já foi paga, ao menos em parte: a correção dos valores não foi aplicada",
        "extra_cells": (
            "a linha tem {cells} células e o cabeçalho {width}: coloque entre aspas os valores que contêm o separador"
        ),
        "status_paid": "a planilha diz que esta parcela foi paga ({value}): não foi registrada como em aberto",
        "status_cancelled": "a planilha diz que esta parcela foi cancelada ({value}): não foi registrada",
        "settled_on": "a planilha diz que esta parcela foi liquidada em {date}: não foi registrada como em aberto",
        "cancelled_on": "a planilha diz que esta parcela foi cancelada em {date}: não foi registrada",
        "amount_paid": "a planilha diz que esta parcela foi paga ({paid}): não foi registrada como em aberto",
        "partly_paid": (
            "a planilha diz que {paid} dos {billed} desta parcela foram pagos: o restante é o que está em aberto"
        ),
        "amount_paid_unread": "o valor recebido {value} não é um valor: a parcela não foi registrada",
        "settled_held": (
            "a fatura {number} já está no Ponte e não foi alterada: registre no console os pagamentos das parcelas "
            "que a planilha diz pagas"
        ),
        "amount_split": (
            "o valor {value} foi partido em dois pela vírgula que separa as colunas: coloque entre aspas os valores "
            "com vírgula, ou separe as colunas com ponto e vírgula"
        ),
        "unclosed_quote": (
            "as aspas abertas na linha {line} não foram fechadas, e as linhas {line} a {last} foram lidas como uma "
            "só: feche as aspas e envie o arquivo de novo"
        ),
        "quote_took_line": "a linha foi lida dentro das aspas abertas na linha {other}: não registrada",
        "rows_disagree": "a linha {line} diverge da linha {other} da mesma fatura no cliente, na emissão ou na moeda",
        "rows_disagree_owner": (
            "a linha {line} diverge da linha {other} da mesma fatura no responsável ou na chave de acesso da NF-e"
        ),
        "installments_unnumbered": "{rows} linhas têm o mesmo número de fatura, mas algumas sem número de parcela",
        "sibling_refused": "a fatura {number} não foi registrada: a linha {other} dela foi recusada",
        "not_object": "cada fatura deve ser um objeto JSON",
        "credit_note_due": "uma nota de crédito não tem vencimento nem parcelas",
        "repeated_member": "{field}: informado duas vezes na mesma fatura; qual vale?",
        "ambiguous_amount": (
            "o valor {value} pode ser lido como milhar ou como decimais: escreva-o sem separador de milhar e com ponto "
            "antes dos centavos (15000.00)"
        ),
        "due_or_installments": "informe o vencimento ou as parcelas: um dos dois",
        "not_nfe": "o documento não é uma NF-e (falta infNFe)",
        "nfe_layout": "a NF-e está no leiaute {value}: são lidos os leiautes 4.00 e 3.10",
        "nfe_inbound": "é uma NF-e de entrada (compra): não há nada a receber",
        "nfe_missing": "falta na NF-e o campo {element}",
        "nfe_key": "o Id {value} da NF-e não é uma chave de acesso de 44 dígitos",
        "nfe_no_recipient": "a NF-e não tem destinatário (como uma NFC-e ao consumidor): não há de quem cobrar",
        "nfe_cnpj": "o CNPJ do destinatário {value} não tem 14 caracteres",
        "nfe_cpf": "o CPF do destinatário {value} não tem 11 dígitos",
        "nfe_not_authorised": "a NF-e não foi autorizada pela SEFAZ (cStat {status})",
        "nfe_protocol_other": "o protocolo de autorização é de outra NF-e",
        "nfe_no_protocol": "a NF-e não tem protocolo de autorização (protNFe): não tem validade jurídica",
        "nfe_test": "a NF-e é do ambiente de homologação da SEFAZ: não tem valor fiscal",
        "nfe_issue_date": "a data de emissão da NF-e não é uma data",
        "nfe_due_date": "o vencimento {value} da duplicata {position} não é uma data",
        "event_missing": "o evento não tem nem evento nem retEvento",
        "event_other_nfe": "o registro do evento (retEvento) é de outra NF-e",
        "event_key": "a chave {value} do evento não é uma chave de acesso de 44 dígitos",
        "event_not_cancellation": "o evento {value} não é um cancelamento: só cancelamentos de NF-e são lidos",
        "cancellation_unregistered": "o cancelamento não tem registro na SEFAZ (retEvento): ainda não vale",
        "cancellation_refused": "a SEFAZ não registrou o cancelamento (cStat {status})",
        "cancellation_test": "o cancelamento é do ambiente de homologação da SEFAZ: não tem valor fiscal",
        "cancellation_time": "a data e hora do cancelamento {value} não é válida",
        "ubl_no_customer": "o documento não tem cliente (AccountingCustomerParty): não há de quem cobrar",
        "ubl_missing": "falta no documento o campo {element}",
        "ubl_date": "{element} {value} não é uma data (aaaa-mm-dd)",
        "ubl_no_currency": "o documento não diz a moeda (nem DocumentCurrencyCode nem currencyID)",
        "ubl_mixed_currency": "{element} está em {stated}, e o documento em {currency}",
        "name_only": "cliente identificado só pelo nome: confira se não é um cliente que já existe",
        "tax_id_digits": (
            "o CNPJ/CPF {value} não confere (dígito verificador errado): confira, pois é por ele que o cliente é "
            "reconhecido nos pagamentos"
        ),
        "tax_id_none": "o CNPJ/CPF {value} não é um documento: o cliente foi registrado sem ele",
        "tax_id_length": (
            "o CNPJ/CPF {value} não tem os 11 dígitos de um CPF nem os 14 de um CNPJ: confira, pois é por ele que o "
            "cliente é reconhecido nos pagamentos"
        ),
        "tax_id_zeros": "o CNPJ/CPF {value} perdeu os zeros à esquerda na planilha: lido como {read}",
        "tax_id_scientific": (
            "o CNPJ/CPF {value} foi salvo em notação científica e perdeu dígitos: formate a coluna como texto e "
            "exporte de novo"
        ),
        "phone_left_out": "{field} não pôde ser lido e ficou de fora",
        "mobile_landline": "o {field} {value} é um telefone fixo: os avisos por SMS não chegam nele",
        "language_left_out": "o idioma {value} ficou de fora: o Ponte escreve em português, espanhol ou inglês",
        "email_left_out": "o e-mail do cliente ficou de fora: não é um endereço de e-mail",
        "formula_cut": (
            "{field} começava com {character}, que uma planilha executaria como fórmula: registrado sem esse caractere"
        ),
        "email_formula": "o e-mail do cliente ficou de fora: começa com {character}, que uma planilha executaria",
        "issuer_email_formula": (
            "o e-mail do emitente ficou de fora: começa com {character}, que uma planilha executaria"
        ),
        "installments_differ": "as parcelas trazem {what} diferentes, então nenhum foi registrado",
        "contacts_differ": "as parcelas trazem {what} diferentes do cliente: ficou o da primeira",
        "repeated_line": "a linha {line} repete a linha {other}: lida uma vez só",
        "other_encoding": (
            "a linha {line} não está em {file_encoding} como o resto do arquivo: lida como {encoding}, confira os "
            "acentos"
        ),
        "payment_terms": "vencimento calculado pelas condições de pagamento: {days} dias após a emissão",
        "payment_terms_date": "vencimento lido nas condições de pagamento: {date}; confira",
        "nfe_duplicatas_paid": (
            "a NF-e tem duplicatas, mas diz que o total foi pago na venda (cartão, dinheiro, Pix...): nada é cobrado "
            "do cliente; confira"
        ),
        "terms_not_read": (
            "as condições de pagamento não dizem um prazo que o Ponte leia: vencimento {days} dias após a emissão, o "
            "prazo padrão; confira"
        ),
        "due_before_issue": "o vencimento {date} é anterior à emissão {issued}: confira as datas",
        "installments_exceed": "as parcelas somam {billed}, mais que o total de {total} do documento: confira",
        "date_order": (
            "a data {value} foi lida como {day}, na ordem {order} em que o arquivo escreve as datas ({example} na "
            "linha {line}): confira"
        ),
        "decimal_mark": (
            "o valor {value} foi lido com três casas decimais, como o arquivo escreve os valores ({example} na linha "
            "{line}): confira"
        ),
        "date_order_doubt": (
            "a data {value} foi lida como {day}, mas {example}, na linha {line}, só se lê na outra ordem: confira "
            "em que ordem o arquivo escreve as datas"
        ),
        "cancellation_elsewhere": "veio junto o cancelamento de outra NF-e ({value}), que não foi aplicado",
        "cancellation_not_applied": "o cancelamento que veio com esta NF-e não foi aplicado",
        "cancellation_kept": "cancelamento de uma NF-e ainda não registrada: guardado e aplicado quando ela chegar",
        "owner_refused": "o responsável {owner} {why}: a conta recebeu outro responsável",
        "owner_refused_none": "o responsável {owner} {why}: a conta ficou sem responsável",
        "contact_not_kept": "{field} do cliente não foi guardado na conta nova",
    },
    "es": {
        "unreadable": "no se pudo leer esta línea o documento",
        "invalid_field": "{field}: valor no válido",
        "missing_field": "{field}: sin completar",
        "too_long": "{field}: más de {limit} caracteres",
        "too_many": "{field}: más de {limit}",
        "unknown_field": "{field}: campo desconocido en una factura",
        "missing_customer": "falta el cliente: indique el nombre, la identificación fiscal o el código de cliente",
        "not_positive": "el importe {value} debe ser mayor que cero",
        "unknown_currency": "{value} no es una moneda conocida: use un código como BRL, USD o EUR",
        "not_amount": "{value} no es un importe",
        "amount_not_cents": "el importe {value} no es un número entero de centavos, como dice el encabezado {column}",
        "cents_currency": "{currency} no tiene centavos, en los que el encabezado {column} dice que están los importes",
        "too_many_decimals": "el importe {value} tiene más de {places} decimales, que {currency} no admite",
        "amount_too_large": "el importe {value} supera el mayor importe aceptado",
        "other_currency": "el importe {value} no está en la moneda de la factura ({currency})",
        "not_date": "{value} no es una fecha: use dd/mm/aaaa",
        "no_such_date": "la fecha {value} no existe en el calendario",
        "implausible_date": "{field}: {date} está a más de {years} años de la fecha del envío; revise el año",
        "access_key_length": "la clave de acceso {value} no tiene 44 dígitos",
        "access_key_digit": "la clave de acceso {value} está mal escrita: el dígito verificador no coincide",
        "not_bank_slip": "el boleto {value} no es un nosso número ni una línea digitable",
        "not_https": "el enlace de pago {value} no es una dirección https://",
        "formula": "{field} empieza con {character}, que una hoja de cálculo ejecutaría como fórmula: no registrada",
        "formula_name": (
            "el nombre del cliente empieza con {character}, que una hoja de cálculo ejecutaría como fórmula, y "
            "nada más identifica al cliente: indique la identificación fiscal o el código de cliente"
        ),
        "party_unidentified": "falta el cliente: indique el nombre, la identificación fiscal o el código de cliente",
        "issuer_unidentified": (
            "falta el emisor: el documento no indica ni el nombre ni la identificación fiscal de quien lo emitió"
        ),
        "installment_not_positive": "una cuota debe tener un importe mayor que cero",
        "mixed_currency": "todos los importes de la factura {number} deben estar en {currency}",
        "credit_note_positive": "una nota de crédito reduce lo adeudado: su total no puede ser positivo",
        "not_collectable_installments": "la factura {number} no es cobrable, así que no puede tener cuotas",
        "no_due_date": "la factura {number} tiene un importe por cobrar, pero falta el vencimiento",
        "owes_nothing_installments": "la factura {number} no cobra nada, así que no puede tener cuotas",
        "repeated_installment": "la factura {number} repite un número de cuota",
        "installments_sum": "las cuotas de la factura {number} suman {billed}, no el total de {total}",
        "already_paid": (
            "la factura {number} ya está pagada, al menos en parte: la corrección de los importes no se aplicó"
        ),
        "extra_cells": (
            "la línea tiene {cells} celdas y el encabezado {width}: ponga entre comillas los importes que contienen "
            "el separador"
        ),
        "status_paid": "la hoja dice que esta cuota se pagó ({value}): no se registró como pendiente",
        "status_cancelled": "la hoja dice que esta cuota se canceló ({value}): no se registró",
        "settled_on": "la hoja dice que esta cuota se liquidó el {date}: no se registró como pendiente",
        "cancelled_on": "la hoja dice que esta cuota se canceló el {date}: no se registró",
        "amount_paid": "la hoja dice que esta cuota se pagó ({paid}): no se registró como pendiente",
        "partly_paid": "la hoja dice que se pagaron {paid} de los {billed} de esta cuota: lo pendiente es el resto",
        "amount_paid_unread": "el importe pagado {value} no es un importe: la cuota no se registró",
        "settled_held": (
            "la factura {number} ya está en Ponte y no se cambió: registre en la consola los pagos de las cuotas que "
            "la hoja da por pagadas"
        ),
        "amount_split": (
            "el importe {value} quedó partido en dos por la coma que separa las columnas: ponga entre comillas los "
            "importes con coma, o separe las columnas con punto y coma"
        ),
        "unclosed_quote": (
            "las comillas abiertas en la línea {line} no se cerraron, y las líneas {line} a {last} se leyeron como "
            "una sola: ciérrelas y envíe el archivo de nuevo"
        ),
        "quote_took_line": "la línea se leyó dentro de las comillas abiertas en la línea {other}: no se registró",
        "rows_disagree": (
            "la línea {line} difiere de la línea {other} de la misma factura en el cliente, la emisión o la moneda"
        ),
        "rows_disagree_owner": (
            "la línea {line} difiere de la línea {other} de la misma factura en el responsable o la clave de acceso de "
            "la NF-e"
        ),
        "installments_unnumbered": "{rows} líneas tienen el mismo número de factura, pero algunas sin número de cuota",
        "sibling_refused": "la factura {number} no se registró: se rechazó su línea {other}",
        "not_object": "cada factura debe ser un objeto JSON",
        "credit_note_due": "una nota de crédito no tiene vencimiento ni cuotas",
        "repeated_member": "{field}: indicado dos veces en la misma factura; ¿cuál vale?",
        "ambiguous_amount": (
            "el importe {value} puede leerse como miles o como decimales: escríbalo sin separador de miles y con punto "
            "antes de los centavos (15000.00)"
        ),
        "due_or_installments": "indique el vencimiento o las cuotas: uno de los dos",
        "not_nfe": "el documento no es una NF-e (falta infNFe)",
        "nfe_layout": "la NF-e está en el formato {value}: se leen los formatos 4.00 y 3.10",
        "nfe_inbound": "es una NF-e de entrada (una compra): no hay nada por cobrar",
        "nfe_missing": "falta en la NF-e el campo {element}",
        "nfe_key": "el Id {value} de la NF-e no es una clave de acceso de 44 dígitos",
        "nfe_no_recipient": "la NF-e no tiene destinatario (como una NFC-e al consumidor): no hay a quién cobrar",
        "nfe_cnpj": "el CNPJ del destinatario {value} no tiene 14 caracteres",
        "nfe_cpf": "el CPF del destinatario {value} no tiene 11 dígitos",
        "nfe_not_authorised": "la SEFAZ no autorizó la NF-e (cStat {status})",
        "nfe_protocol_other": "el protocolo de autorización es de otra NF-e",
        "nfe_no_protocol": "la NF-e no tiene protocolo de autorización (protNFe): no tiene validez legal",
        "nfe_test": "la NF-e es del entorno de pruebas de la SEFAZ: no tiene valor fiscal",
        "nfe_issue_date": "la fecha de emisión de la NF-e no es una fecha",
        "nfe_due_date": "el vencimiento {value} de la duplicata {position} no es una fecha",
        "event_missing": "el evento no tiene ni evento ni retEvento",
        "event_other_nfe": "el registro del evento (retEvento) es de otra NF-e",
        "event_key": "la clave {value} del evento no es una clave de acceso de 44 dígitos",
        "event_not_cancellation": "el evento {value} no es una cancelación: solo se leen cancelaciones de NF-e",
        "cancellation_unregistered": "la cancelación no tiene registro en la SEFAZ (retEvento): aún no vale",
        "cancellation_refused": "la SEFAZ no registró la cancelación (cStat {status})",
        "cancellation_test": "la cancelación es del entorno de pruebas de la SEFAZ: no tiene valor fiscal",
        "cancellation_time": "la fecha y hora de la cancelación {value} no es válida",
        "ubl_no_customer": "el documento no tiene cliente (AccountingCustomerParty): no hay a quién cobrar",
        "ubl_missing": "falta en el documento el campo {element}",
        "ubl_date": "{element} {value} no es una fecha (aaaa-mm-dd)",
        "ubl_no_currency": "el documento no indica la moneda (ni DocumentCurrencyCode ni currencyID)",
        "ubl_mixed_currency": "{element} está en {stated}, y el documento en {currency}",
        "name_only": "cliente identificado solo por el nombre: revise que no sea un cliente que ya existe",
        "tax_id_digits": (
            "el CNPJ/CPF {value} no cuadra (dígito verificador erróneo): revíselo, es por él que se reconoce al "
            "cliente en los pagos"
        ),
        "tax_id_none": "el CNPJ/CPF {value} no es un documento: el cliente se registró sin él",
        "tax_id_length": (
            "el CNPJ/CPF {value} no tiene los 11 dígitos de un CPF ni los 14 de un CNPJ: revíselo, es por él que se "
            "reconoce al cliente en los pagos"
        ),
        "tax_id_zeros": (
            "el CNPJ/CPF {value} perdió los ceros a la izquierda en la hoja de cálculo: se leyó como {read}"
        ),
        "tax_id_scientific": (
            "el CNPJ/CPF {value} se guardó en notación científica y perdió dígitos: formatee la columna como texto y "
            "exporte de nuevo"
        ),
        "phone_left_out": "{field} no se pudo leer y quedó fuera",
        "mobile_landline": "el {field} {value} es un teléfono fijo: los avisos por SMS no le llegan",
        "language_left_out": "el idioma {value} quedó fuera: Ponte escribe en portugués, español o inglés",
        "email_left_out": "el correo electrónico del cliente quedó fuera: no es una dirección de correo",
        "formula_cut": (
            "{field} empezaba con {character}, que una hoja de cálculo ejecutaría como fórmula: registrado sin ese "
            "carácter"
        ),
        "email_formula": (
            "el correo electrónico del cliente quedó fuera: empieza con {character}, que una hoja de cálculo ejecutaría"
        ),
        "issuer_email_formula": (
            "el correo electrónico del emisor quedó fuera: empieza con {character}, que una hoja de cálculo ejecutaría"
        ),
        "installments_differ": "las cuotas traen {what} distintos, así que no se registró ninguno",
        "contacts_differ": "las cuotas traen {what} distintos del cliente: quedó el de la primera",
        "repeated_line": "la línea {line} repite la línea {other}: se leyó una sola vez",
        "other_encoding": (
            "la línea {line} no está en {file_encoding} como el resto del archivo: se leyó como {encoding}, revise "
            "los acentos"
        ),
        "payment_terms": "vencimiento calculado según las condiciones de pago: {days} días después de la emisión",
        "payment_terms_date": "vencimiento leído en las condiciones de pago: {date}; revíselo",
        "nfe_duplicatas_paid": (
            "la NF-e tiene duplicatas, pero dice que el total se pagó en la venta (tarjeta, efectivo, Pix...): no se "
            "cobra nada al cliente; revíselo"
        ),
        "terms_not_read": (
            "las condiciones de pago no indican un plazo que Ponte lea: vencimiento {days} días después de la "
            "emisión, el plazo por defecto; revíselo"
        ),
        "due_before_issue": "el vencimiento {date} es anterior a la emisión {issued}: revise las fechas",
        "installments_exceed": "las cuotas suman {billed}, más que el total de {total} del documento: revíselas",
        "date_order": (
            "la fecha {value} se leyó como {day}, en el orden {order} en que el archivo escribe las fechas ({example} "
            "en la línea {line}): revísela"
        ),
        "decimal_mark": (
            "el importe {value} se leyó con tres decimales, como el archivo escribe los importes ({example} en la "
            "línea {line}): revíselo"
        ),
        "date_order_doubt": (
            "la fecha {value} se leyó como {day}, pero {example}, en la línea {line}, solo se lee en el otro orden: "
            "revise en qué orden escribe el archivo las fechas"
        ),
        "cancellation_elsewhere": "vino junto la cancelación de otra NF-e ({value}), que no se aplicó",
        "cancellation_not_applied": "la cancelación que vino con esta NF-e no se aplicó",
        "cancellation_kept": "cancelación de una NF-e aún no registrada: se guarda y se aplica cuando llegue",
        "owner_refused": "el responsable {owner} {why}: la cuenta recibió otro responsable",
        "owner_refused_none": "el responsable {owner} {why}: la cuenta quedó sin responsable",
        "contact_not_kept": "{field} del cliente no se guardó en la cuenta nueva",
    },
    "en": {
        "unreadable": "this line or document could not be read",
        "invalid_field": "{field}: not valid",
        "missing_field": "{field}: missing",
        "too_long": "{field}: longer than {limit} characters",
        "too_many": "{field}: more than {limit}",
        "unknown_field": "{field}: no invoice has such a field",
        "missing_customer": "the customer is missing: give their name, tax id or customer reference",
        "not_positive": "the amount {value} must be greater than zero",
        "unknown_currency": "{value} is not a known currency: use a code such as BRL, USD or EUR",
        "not_amount": "{value} is not an amount",
        "amount_not_cents": "the amount {value} is not a whole number of cents, as the header {column} says",
        "cents_currency": "{currency} has no cents, which the header {column} says the amounts are in",
        "too_many_decimals": "the amount {value} has more than {places} decimal places, which {currency} does not have",
        "amount_too_large": "the amount {value} is beyond the largest amount taken",
        "other_currency": "the amount {value} is not in the invoice's currency ({currency})",
        "not_date": "{value} is not a date: use dd/mm/yyyy",
        "no_such_date": "the date {value} does not exist",
        "implausible_date": "{field}: {date} is more than {years} years from the day of the upload; check the year",
        "access_key_length": "the access key {value} does not have 44 digits",
        "access_key_digit": "the access key {value} was mistyped: its check digit does not match",
        "not_bank_slip": "the boleto {value} is neither a nosso número nor a digitable line",
        "not_https": "the payment link {value} is not an https:// address",
        "formula": "{field} begins with {character}, which a spreadsheet would run as a formula: not recorded",
        "formula_name": (
            "the customer's name begins with {character}, which a spreadsheet would run as a formula, and nothing "
            "else identifies the customer: give their tax id or customer reference"
        ),
        "party_unidentified": "the customer is missing: give their name, tax id or customer reference",
        "issuer_unidentified": (
            "the issuer is missing: the document gives neither the name nor the tax id of whoever issued it"
        ),
        "installment_not_positive": "an installment must be for more than zero",
        "mixed_currency": "every amount of invoice {number} must be in {currency}",
        "credit_note_positive": "a credit note reduces what is owed: its total cannot be positive",
        "not_collectable_installments": "invoice {number} is not collectable, so it cannot have installments",
        "no_due_date": "invoice {number} is owed but has no due date",
        "owes_nothing_installments": "invoice {number} owes nothing, so it cannot have installments",
        "repeated_installment": "invoice {number} repeats an installment number",
        "installments_sum": "the installments of invoice {number} add up to {billed}, not the total of {total}",
        "already_paid": "invoice {number} is already paid, at least in part: its corrected amounts were not applied",
        "extra_cells": "the line has {cells} cells and the header {width}: quote amounts that contain the separator",
        "status_paid": "the file says this installment was paid ({value}): it was not recorded as owed",
        "status_cancelled": "the file says this installment was cancelled ({value}): it was not recorded",
        "settled_on": "the file says this installment was settled on {date}: it was not recorded as owed",
        "cancelled_on": "the file says this installment was cancelled on {date}: it was not recorded",
        "amount_paid": "the file says this installment was paid ({paid}): it was not recorded as owed",
        "partly_paid": "the file says {paid} of this installment's {billed} was paid: what is owed is the rest",
        "amount_paid_unread": "the amount paid {value} is not an amount: the installment was not recorded",
        "settled_held": (
            "invoice {number} is already in Ponte and was not changed: record in the console the payments of the "
            "installments the file says were paid"
        ),
        "amount_split": (
            "the amount {value} was split in two by the comma that separates the columns: quote amounts that "
            "contain a comma, or separate the columns with semicolons"
        ),
        "unclosed_quote": (
            "the quote opened on line {line} is not closed, and lines {line} to {last} were read as one: close it "
            "and send the file again"
        ),
        "quote_took_line": "the line was read inside the quote opened on line {other}: not recorded",
        "rows_disagree": (
            "line {line} disagrees with line {other} of the same invoice on the customer, issue date or currency"
        ),
        "rows_disagree_owner": (
            "line {line} disagrees with line {other} of the same invoice on the owner or the NF-e access key"
        ),
        "installments_unnumbered": "{rows} lines share this invoice number but some have no installment number",
        "sibling_refused": "invoice {number} was not recorded: its line {other} was refused",
        "not_object": "each invoice must be a JSON object",
        "credit_note_due": "a credit note has no due date or installments",
        "repeated_member": "{field}: given twice in the same invoice; which one is meant?",
        "ambiguous_amount": (
            "the amount {value} reads as thousands or as decimals: write it without thousands separators, with a point "
            "before the cents (15000.00)"
        ),
        "due_or_installments": "give the due date or the installments: one of the two",
        "not_nfe": "the document is not an NF-e (no infNFe)",
        "nfe_layout": "the NF-e is in layout {value}: layouts 4.00 and 3.10 are read",
        "nfe_inbound": "it is an inbound NF-e (a purchase): nothing is owed to the issuer",
        "nfe_missing": "the NF-e has no {element}",
        "nfe_key": "the NF-e's Id {value} is not a 44-digit access key",
        "nfe_no_recipient": "the NF-e has no recipient (as on a consumer NFC-e): there is nobody to collect from",
        "nfe_cnpj": "the recipient's CNPJ {value} does not have 14 characters",
        "nfe_cpf": "the recipient's CPF {value} does not have 11 digits",
        "nfe_not_authorised": "SEFAZ did not authorise the NF-e (cStat {status})",
        "nfe_protocol_other": "the authorisation protocol belongs to another NF-e",
        "nfe_no_protocol": "the NF-e has no authorisation protocol (protNFe), so it has no legal validity",
        "nfe_test": "the NF-e comes from the SEFAZ test environment and has no fiscal value",
        "nfe_issue_date": "the NF-e's issue date is not a date",
        "nfe_due_date": "the due date {value} of duplicata {position} is not a date",
        "event_missing": "the event has neither evento nor retEvento",
        "event_other_nfe": "the event's registration (retEvento) belongs to another NF-e",
        "event_key": "the event's key {value} is not a 44-digit access key",
        "event_not_cancellation": "the event {value} is not a cancellation: only NF-e cancellations are read",
        "cancellation_unregistered": (
            "the cancellation has no SEFAZ registration (retEvento), so it has not taken effect"
        ),
        "cancellation_refused": "SEFAZ did not register the cancellation (cStat {status})",
        "cancellation_test": "the cancellation comes from the SEFAZ test environment and has no fiscal value",
        "cancellation_time": "the cancellation time {value} is not a valid date and time",
        "ubl_no_customer": "the document has no customer (AccountingCustomerParty): there is nobody to collect from",
        "ubl_missing": "the document has no {element}",
        "ubl_date": "{element} {value} is not a date (yyyy-mm-dd)",
        "ubl_no_currency": "the document names no currency (neither DocumentCurrencyCode nor a currencyID)",
        "ubl_mixed_currency": "{element} is in {stated}, the document in {currency}",
        "name_only": "customer identified by name only: check that it is not a customer who already exists",
        "tax_id_digits": (
            "the CNPJ/CPF {value} does not check out (wrong check digit): check it, the customer's payments are "
            "matched by it"
        ),
        "tax_id_none": "the CNPJ/CPF {value} is not a document: the customer was recorded without one",
        "tax_id_length": (
            "the CNPJ/CPF {value} has neither a CPF's 11 digits nor a CNPJ's 14: check it, the customer's payments "
            "are matched by it"
        ),
        "tax_id_zeros": "the CNPJ/CPF {value} lost its leading zeros in the spreadsheet: read as {read}",
        "tax_id_scientific": (
            "the CNPJ/CPF {value} was saved in scientific notation and lost digits: format the column as text and "
            "export again"
        ),
        "phone_left_out": "{field} could not be read and was left out",
        "mobile_landline": "the {field} {value} is a landline: text messages cannot reach it",
        "language_left_out": "the language {value} was left out: Ponte writes Portuguese, Spanish or English",
        "email_left_out": "the customer's e-mail was left out: it is not an e-mail address",
        "formula_cut": (
            "{field} began with {character}, which a spreadsheet would run as a formula: recorded without it"
        ),
        "email_formula": (
            "the customer's e-mail was left out: it begins with {character}, which a spreadsheet would run"
        ),
        "issuer_email_formula": (
            "the issuer's e-mail was left out: it begins with {character}, which a spreadsheet would run"
        ),
        "installments_differ": "the installments give different {what}, so none was recorded",
        "contacts_differ": "the installments give different customer {what}: the first one was kept",
        "repeated_line": "line {line} repeats line {other}: read once",
        "other_encoding": (
            "line {line} is not {file_encoding} like the rest of the file: read as {encoding}, check its accents"
        ),
        "payment_terms": "due date read from the payment terms: {days} days after issue",
        "payment_terms_date": "due date read from the payment terms: {date}; check it",
        "nfe_duplicatas_paid": (
            "the NF-e lists duplicatas but says the whole of it was paid at the sale (card, cash, Pix...): nothing is "
            "collected from the customer; check it"
        ),
        "terms_not_read": (
            "the payment terms give no period Ponte reads: due {days} days after issue, the default term; check it"
        ),
        "due_before_issue": "the due date {date} is before the issue date {issued}: check the dates",
        "installments_exceed": (
            "the installments add up to {billed}, more than the document's total of {total}: check them"
        ),
        "date_order": (
            "the date {value} was read as {day}, in the {order} order the file writes its dates in ({example} on "
            "line {line}): check it"
        ),
        "decimal_mark": (
            "the amount {value} was read with three decimal places, as the file writes its amounts ({example} on line "
            "{line}): check it"
        ),
        "date_order_doubt": (
            "the date {value} was read as {day}, but {example} on line {line} reads only the other way: check the "
            "order the file writes its dates in"
        ),
        "cancellation_elsewhere": "a cancellation of another NF-e ({value}) came with this one and was not applied",
        "cancellation_not_applied": "the cancellation that came with this NF-e was not applied",
        "cancellation_kept": "cancellation of an NF-e not recorded yet: kept, and applied when the NF-e arrives",
        "owner_refused": "the owner {owner} {why}: the account was given another owner",
        "owner_refused_none": "the owner {owner} {why}: the account has no owner",
        "contact_not_kept": "the customer's {field} was not kept on the new account",
    },
}

# A row of a report carried over from a version before codes: what it is, without the why.
UNCODED: dict[Locale, tuple[str, str]] = {  # (refused, recorded with a warning)
    "pt-BR": ("Esta linha não foi registrada", "Esta linha foi registrada, com algo a conferir"),
    "es": ("Esta línea no se registró", "Esta línea se registró, con algo por revisar"),
    "en": ("This line was not recorded", "This line was recorded, with something to check"),
}

# The report of a file deleted before it was read.
SKIPPED: dict[Locale, str] = {
    "pt-BR": "O arquivo foi apagado antes de ser lido: nada foi registrado. Para importá-lo, envie-o de novo.",
    "es": "El archivo se borró antes de leerse: no se registró nada. Para importarlo, envíelo de nuevo.",
    "en": "The file was deleted before it was read: nothing was recorded. To import it, upload it again.",
}

# Counts and sizes, written as the language writes numbers. A line number (`line`, `other`, `last`) is written as the
# spreadsheet and the editor show it, with no thousands separator: "linha 1234".
_NUMBERS = frozenset({"rows", "cells", "width", "limit", "days", "position", "places", "years"})


def row_message(code: str, facts: Mapping[str, str], locale: Locale) -> str:
    """The sentence for a row's problem in `locale`; the general one when the code has none or a fact its sentence
    needs is missing."""
    general = ROWS[locale]["unreadable"]
    sentence = ROWS[locale].get(cast("RowCode", code), general)  # any code: an older version's too
    try:
        written = str(sentence.format_map(_shown(facts, locale)))
    except (KeyError, ValueError):
        written = general
    return written[:1].upper() + written[1:]


def _shown(facts: Mapping[str, str], locale: Locale) -> dict[str, str]:
    from babel.dates import format_date  # noqa: PLC0415 - loaded when a message is rendered
    from babel.numbers import format_currency, format_decimal  # noqa: PLC0415

    cldr = locale.replace("-", "_")
    fields = CSV_COLUMNS[locale] | _FIELDS[locale]
    shown = {}
    for name, value in facts.items():
        if name == "field":
            shown[name] = fields.get(value, value)
        elif name in _NUMBERS and value.isdigit():
            shown[name] = str(format_decimal(int(value), locale=cldr))
        elif name in ("what", "why"):
            shown[name] = _WHAT[locale].get(value, value)
        elif name in ("encoding", "file_encoding"):
            shown[name] = _ENCODINGS.get(value, value)
        elif name in ("billed", "total", "paid") and "currency" in facts:
            shown[name] = str(format_currency(value, facts["currency"], locale=cldr))
        elif name == "day":  # a date as it was read, in ISO 8601: its month named
            shown[name] = str(format_date(date.fromisoformat(value), format="long", locale=cldr))
        elif name == "read":  # a CNPJ or CPF as it was read, written as people write it
            shown[name] = _masked(value)
        elif name in ("date", "issued"):  # a date read from the file, in ISO 8601
            shown[name] = Formatter(locale, "UTC").date(date.fromisoformat(value))
        elif name == "order":
            shown[name] = _ORDERS[locale].get(value, value)
        elif name in ("value", "owner", "character", "example", "column"):
            shown[name] = f"“{value}”"
        else:
            shown[name] = value
    return shown


def _masked(tax_id: str) -> str:
    """`04252011000110` → `04.252.011/0001-10`; `01234567890` → `012.345.678-90`."""
    if len(tax_id) == 14:
        return f"{tax_id[:2]}.{tax_id[2:5]}.{tax_id[5:8]}/{tax_id[8:12]}-{tax_id[12:]}"
    if len(tax_id) == 11:
        return f"{tax_id[:3]}.{tax_id[3:6]}.{tax_id[6:9]}-{tax_id[9:]}"
    return tax_id
