"""The reply draft, in the customer's language: the same sentences in English, Spanish, French and German.

Every sentence is a template filled only from gathered facts (amounts, card digits, carriers, tracking numbers,
statuses, the account's address, variant names) and what the proposed actions do; a language without templates
gets English. Amounts are written the same way in every language (``1,234.56``) so a reviewer and the reply checks
read the one number the refund carries. The customer's name is greeted by its plain words only (no link, markup or
control character a sign-up form let through). ``PROMISES`` lists, per tool, the words that announce its effect in each
language: a reply may say them only when the plan has that action.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from ai_missions.graphs.support.vocabulary import TYPES_FACT
from ai_missions.mission_api import display_name

LANGUAGES = ("en", "es", "fr", "de")

T: dict[str, dict[str, str]] = {
    "en": {
        "hello": "Hello {name},",
        "anyone": "there",
        "bye": "Kind regards,\nCustomer Support",
        "sorry": "We are sorry for the trouble this caused.",
        "card": " to the card ending {last4}",
        "unreadable": "We could not read your message (it was empty, too long or not text). Could you write again "
        "in a few sentences and tell us the order number it is about?",
        "that_order": "that order",
        "order_n": "order {ref}",
        "not_found": "We could not find {quoted} on your account. Could you check the order number in your "
        "confirmation e-mail and reply with it? We can only help with orders placed with your account.",
        "waiting": "What you asked about {orders} waits for your answer; we will take care of it then.",
        "which": "Which order is your message about? On your account we see {listed}. Reply with its number and we "
        "will take care of it.",
        "identify": "Before we look into any order we need to be sure we are writing to the account holder. Could you "
        "reply from the e-mail address on your account, or tell us that address, or your full name and the postal code "
        "of the address on your account?",
        "cancel_item": "An order is cancelled as a whole, so a single item cannot be cancelled out of order "
        "{order}. We can cancel the whole order, or change that item to another variant of it: reply with what you "
        "would like.",
        "unclear": "Thank you for your message. Could you tell us a little more about what you need (a refund, a "
        "cancellation, where your order is...) and the order number it is about?",
        "dup_refunded": "You were right: order {order} was charged twice. We have refunded the duplicate charge of "
        "{amount}{card}; your order stays active. Refunds usually show within 5-10 business days.",
        "dup_none": "We checked order {order}: it shows {count} charge(s) totalling {captured} for an order of "
        "{total}, so we do not see a duplicate charge. A pending card authorization can look like a second charge "
        "for a few days and then disappears.",
        "cancel_shipped": "Order {order} has already shipped, so it can no longer be cancelled; you can return it "
        "once it arrives.",
        "cancel_refund": "We have cancelled order {order} and refunded {amount}{card}.",
        "cancel_void": "We have cancelled order {order} and released the payment authorization on your card.",
        "cancel_only": "We have cancelled order {order}.",
        "cancel_reason": "The cancellation records your reason: {reason}.",
        "items_changed": "We have changed the items on order {order} before it ships: {changes}.",
        "items_same_price": "The price stays the same.",
        "items_exchanged": "We have arranged the exchange on order {order}: {changes}. The new items are "
        "reserved for you; please send the old ones back.",
        "items_uncaptured": "The new items cost {amount} less; only the new total is taken from your payment.",
        "items_refund": "The new items cost {amount} less; we refund the difference{card}.",
        "items_charge": "The new items cost {amount} more; the difference is charged{card}.",
        "items_which": "For what you asked to change on order {order}, these options are in stock:{choices}"
        "Which one would you like? Reply with it and we will change the item.",
        "anything_else": "Before we exchange {changes} on order {order}: is there anything else on this order you "
        "would like to exchange ({others})? Each item can be exchanged only once, so please tell us now. Reply "
        '"that\'s all", or name the items and the options you would like.',
        "anything_else_too": "Is there anything else on order {order} you would like to exchange ({others})? Each "
        "item can be exchanged only once, so please name it in your reply too.",
        "cancel_why": "To cancel order {order}{refund}, please tell us why: you no longer need it, or it was "
        "ordered by mistake. Reply with the reason and we cancel it.",
        "cancel_why_refund": " (and refund {amount}{card})",
        "no longer needed": "no longer needed",
        "ordered by mistake": "ordered by mistake",
        "was_cancelled": "Order {order} was cancelled, so it will not be delivered.",
        "in_transit": "Order {order} is on its way with {carrier}, tracking number {tracking}.",
        "delivered": "{carrier} shows order {order} as delivered (tracking number {tracking}).",
        "not_shipped": "Order {order} has not shipped yet; we will send you the tracking number as soon as it does.",
        "address_shipped": "Order {order} has already shipped, so its delivery address can no longer be changed.",
        "address_changed": "Order {order} will now ship to the address on your account: {address}.",
        "address_changed_to": "Order {order} will now ship to {address}.",
        "account_address_changed": "The address on your account is now {address}; future orders will ship there.",
        "address_check_account": "Please check it: if anything is wrong, reply and we will correct it.",
        "about_order": "About order {order}:",
        "address_already": "Order {order} already ships to {address}.",
        "address_check": "Please check it: if anything is wrong, reply and we will correct it before it ships.",
        "address_missing": "To use the address you gave ({evidence}) we also need its {missing}. Could you reply with "
        "the full address: street and number, city, state and ZIP code?",
        "address_which": "Which address should we use? We see: {choices}. Reply with the one you want.",
        "address_corrected": "Our shipping system could not confirm the address you gave ({evidence}) as written; it "
        "suggests {suggestion}. Is that right? Reply to confirm, or send the correct address.",
        "address_undeliverable": "Our shipping system cannot deliver to the address you gave ({evidence}): {issues}. "
        "Could you check it and reply with the full address?",
        "part_street": "street and number",
        "part_city": "city",
        "part_state": "state",
        "part_zip": "ZIP code",
        "and": "and",
        "unknown_city": "the city is not one it delivers to",
        "missing_street_number": "the street number is missing",
        "unsupported_country": "it does not deliver to that country",
        "damaged": "We are sorry your order {order} arrived damaged. We have refunded {amount}{card}; no need to "
        "send it back.",
        "wrong": "We are sorry your order {order} was not what you ordered. We have refunded {amount}{card}; no "
        "need to send it back.",
        "return_opened": "We have opened a return on order {order} for {items}. Once our warehouse receives "
        "them we refund {amount} {method}, usually within 5 business days.",
        "original_payment": "to the payment method you used",
        "gift_card": "to a gift card",
        "which_items": "Which items of order {order} would you like to return ({items})? Reply with their names "
        "and we will open the return.",
        "which_is_which": "Which items of order {order} would you like to return, and which to exchange and for "
        "which option ({items})? Reply with them and we will go ahead.",
        "return_waiting": "We do not see the return of order {order} as received yet. As soon as it arrives at our "
        "warehouse we refund it, usually within 5 business days.",
        "return_refunded": "Our warehouse received your return of order {order}. We have refunded {amount}{card} "
        "for the returned items; refunds usually show within 5-10 business days.",
        "return_covered": "Our warehouse received your return of order {order}, and the order's refunds already "
        "cover the returned items, so nothing more is due.",
        "exchanged": "We have exchanged the {old} item on order {order} for {new}; it is reserved for you. Please "
        "send the {old} one back.",
        "out_of_stock": "{new} is out of stock for the item on order {order}, so we cannot exchange it now.",
        "in_stock_are": " In stock: {options}. Reply with the one you would like.",
        "none_in_stock": " No other option is in stock; you can return it within 30 days of delivery for a refund.",
        "method_card": "your {brand} card (last digits {last4})",
        "method_gift": "your gift card",
        "method_paypal": "PayPal",
        "method_balance": " (balance {balance})",
        "method_or": " or ",
        "method_to": " to {method}",
        "paid_with": "Order {order} is now paid with {method} ({amount}); the previous payment authorization no "
        "longer holds anything.",
        "pay_which": "To pay for order {order} another way, which of your payment methods should we use? You can pay "
        "with {methods}. Reply with the one you would like.",
        "pay_short": "Your gift card has {balance}, less than the {amount} of order {order}, so it cannot pay for it.",
        "pay_none": "We see no other payment method on your account to pay for order {order}; once you add one, "
        "write to us again.",
        "pay_shipped": "Order {order} has already shipped, so its payment method can no longer be changed.",
        "pay_stays": "Order {order} stays paid as it is{method}.",
        "stays_with": ", with {method}",
        "items_which_method": "The new items on order {order} ({changes}) cost {amount} {direction}: should the "
        "difference go to {methods}? Reply with the one you would like and we will change the items.",
        "more": "more",
        "less": "less",
        "question": "Thank you for your question. Items can be returned within 30 days of delivery, and refunds "
        "show on your card within 5-10 business days. If it is about a specific order, reply with its number "
        "(for example SO-100123) and we will look it up.",
    },
    "es": {
        "hello": "Hola {name}:",
        "anyone": "",
        "bye": "Un saludo,\nAtención al cliente",
        "sorry": "Sentimos las molestias que esto le ha causado.",
        "card": " en la tarjeta terminada en {last4}",
        "unreadable": "No hemos podido leer su mensaje (estaba vacío, era demasiado largo o no era texto). ¿Puede "
        "escribirnos de nuevo en pocas frases e indicarnos el número de pedido?",
        "that_order": "ese pedido",
        "order_n": "el pedido {ref}",
        "not_found": "No encontramos {quoted} en su cuenta. ¿Puede comprobar el número de pedido en su correo de "
        "confirmación y respondernos con él? Solo podemos ayudar con pedidos hechos con su cuenta.",
        "waiting": "Lo que nos pidió sobre {orders} queda a la espera de su respuesta; nos ocuparemos entonces.",
        "which": "¿A qué pedido se refiere su mensaje? En su cuenta vemos {listed}. Responda con su número y nos "
        "ocuparemos.",
        "identify": "Antes de revisar cualquier pedido debemos asegurarnos de que escribimos al titular de la cuenta. "
        "¿Puede responder desde el correo electrónico de su cuenta, o indicarnos ese correo, o su nombre completo y el "
        "código postal de la dirección de su cuenta?",
        "cancel_item": "Un pedido se cancela completo, así que no podemos cancelar un solo artículo del pedido "
        "{order}. Podemos cancelar todo el pedido o cambiar ese artículo por otra variante: responda con lo que "
        "prefiera.",
        "unclear": "Gracias por su mensaje. ¿Puede contarnos un poco más sobre lo que necesita (un reembolso, una "
        "cancelación, dónde está su pedido...) y el número de pedido?",
        "dup_refunded": "Tiene razón: el pedido {order} se cobró dos veces. Hemos reembolsado el cargo duplicado de "
        "{amount}{card}; su pedido sigue activo. Los reembolsos suelen verse en 5-10 días hábiles.",
        "dup_none": "Hemos revisado el pedido {order}: muestra {count} cargo(s) por un total de {captured} para un "
        "pedido de {total}, así que no vemos un cargo duplicado. Una autorización pendiente de la tarjeta puede "
        "parecer un segundo cargo durante unos días y luego desaparece.",
        "cancel_shipped": "El pedido {order} ya se ha enviado, así que no se puede cancelar; puede devolverlo "
        "cuando llegue.",
        "cancel_refund": "Hemos cancelado el pedido {order} y reembolsado {amount}{card}.",
        "cancel_void": "Hemos cancelado el pedido {order} y liberado la autorización de pago de su tarjeta.",
        "cancel_only": "Hemos cancelado el pedido {order}.",
        "cancel_reason": "La cancelación registra el motivo que nos dio: {reason}.",
        "items_changed": "Hemos cambiado los artículos del pedido {order} antes del envío: {changes}.",
        "items_same_price": "El precio no cambia.",
        "items_exchanged": "Hemos preparado el cambio del pedido {order}: {changes}. Los nuevos artículos "
        "están reservados para usted; envíenos los anteriores.",
        "items_uncaptured": "Los nuevos artículos cuestan {amount} menos; solo se cobra el nuevo total.",
        "items_refund": "Los nuevos artículos cuestan {amount} menos; le reembolsamos la diferencia{card}.",
        "items_charge": "Los nuevos artículos cuestan {amount} más; la diferencia se cobra{card}.",
        "items_which": "Para lo que desea cambiar en el pedido {order}, tenemos en stock:{choices}¿Cuál "
        "prefiere? Responda con ella y cambiaremos el artículo.",
        "anything_else": "Antes de cambiar {changes} en el pedido {order}: ¿desea cambiar algo más de este pedido "
        '({others})? Cada artículo se puede cambiar una sola vez, así que díganoslo ahora. Responda "eso es todo" '
        "o indique los artículos y las opciones que desea.",
        "anything_else_too": "¿Desea cambiar algo más del pedido {order} ({others})? Cada artículo se puede "
        "cambiar una sola vez, así que indíquelo también en su respuesta.",
        "cancel_why": "Para cancelar el pedido {order}{refund}, díganos por qué: ya no lo necesita o lo pidió "
        "por error. Responda con el motivo y lo cancelamos.",
        "cancel_why_refund": " (y reembolsar {amount}{card})",
        "no longer needed": "ya no lo necesita",
        "ordered by mistake": "pedido por error",
        "was_cancelled": "El pedido {order} se canceló, así que no se entregará.",
        "in_transit": "El pedido {order} está en camino con {carrier}, número de seguimiento {tracking}.",
        "delivered": "{carrier} indica que el pedido {order} se entregó (número de seguimiento {tracking}).",
        "not_shipped": "El pedido {order} aún no se ha enviado; le enviaremos el número de seguimiento en cuanto "
        "salga.",
        "address_shipped": "El pedido {order} ya se ha enviado, así que ya no se puede cambiar la dirección de "
        "entrega.",
        "address_changed": "El pedido {order} se enviará ahora a la dirección de su cuenta: {address}.",
        "address_changed_to": "El pedido {order} se enviará ahora a {address}.",
        "account_address_changed": "La dirección de su cuenta es ahora {address}; los próximos pedidos se enviarán "
        "allí.",
        "address_check_account": "Por favor, revísela: si algo no es correcto, responda y lo corregiremos.",
        "about_order": "Sobre el pedido {order}:",
        "address_already": "El pedido {order} ya se envía a {address}.",
        "address_check": "Por favor, revísela: si algo no es correcto, responda y lo corregiremos antes del envío.",
        "address_missing": "Para usar la dirección que nos dio ({evidence}) necesitamos también {missing}. ¿Puede "
        "responder con la dirección completa: calle y número, ciudad, estado y código postal?",
        "address_which": "¿Qué dirección debemos usar? Vemos: {choices}. Responda con la que desee.",
        "address_corrected": "Nuestro sistema de envíos no pudo confirmar la dirección que nos dio ({evidence}) tal "
        "como está escrita; sugiere {suggestion}. ¿Es correcta? Responda para confirmarla o envíe la dirección "
        "correcta.",
        "address_undeliverable": "Nuestro sistema de envíos no puede entregar en la dirección que nos dio "
        "({evidence}): {issues}. ¿Puede revisarla y responder con la dirección completa?",
        "part_street": "la calle y el número",
        "part_city": "la ciudad",
        "part_state": "el estado",
        "part_zip": "el código postal",
        "and": "y",
        "unknown_city": "no reparte en esa ciudad",
        "missing_street_number": "falta el número de la calle",
        "unsupported_country": "no reparte en ese país",
        "damaged": "Sentimos que su pedido {order} llegara dañado. Hemos reembolsado {amount}{card}; no hace falta "
        "devolverlo.",
        "wrong": "Sentimos que su pedido {order} no fuera lo que pidió. Hemos reembolsado {amount}{card}; no hace "
        "falta devolverlo.",
        "return_opened": "Hemos abierto una devolución en el pedido {order} de {items}. Cuando nuestro almacén "
        "los reciba, reembolsaremos {amount} {method}, normalmente en 5 días hábiles.",
        "original_payment": "al método de pago que utilizó",
        "gift_card": "en una tarjeta regalo",
        "which_items": "¿Qué artículos del pedido {order} desea devolver ({items})? Responda con sus nombres y "
        "abriremos la devolución.",
        "which_is_which": "¿Qué artículos del pedido {order} desea devolver, y cuáles cambiar y por qué opción "
        "({items})? Respóndanos y seguiremos adelante.",
        "return_waiting": "Aún no vemos recibida la devolución del pedido {order}. En cuanto llegue a nuestro "
        "almacén la reembolsamos, normalmente en 5 días hábiles.",
        "return_refunded": "Nuestro almacén recibió su devolución del pedido {order}. Hemos reembolsado "
        "{amount}{card} por los artículos devueltos; los reembolsos suelen verse en 5-10 días hábiles.",
        "return_covered": "Nuestro almacén recibió su devolución del pedido {order} y los reembolsos del pedido ya "
        "cubren los artículos devueltos, así que no queda nada pendiente.",
        "exchanged": "Hemos cambiado el artículo {old} del pedido {order} por {new}; lo tenemos reservado para "
        "usted. Por favor, devuélvanos el {old}.",
        "out_of_stock": "{new} está agotado para el artículo del pedido {order}, así que ahora no podemos cambiarlo.",
        "in_stock_are": " Disponibles: {options}. Responda con el que prefiera.",
        "none_in_stock": " No hay otra opción disponible; puede devolverlo en los 30 días siguientes a la entrega "
        "para un reembolso.",
        "method_card": "su tarjeta {brand} terminada en {last4}",
        "method_gift": "su tarjeta regalo",
        "method_paypal": "PayPal",
        "method_balance": " (saldo {balance})",
        "method_or": " o ",
        "method_to": " a {method}",
        "paid_with": "El pedido {order} ahora se paga con {method} ({amount}); la autorización de pago anterior ya "
        "no retiene nada.",
        "pay_which": "Para pagar el pedido {order} de otra forma, ¿qué método de pago usamos? Puede pagar con "
        "{methods}. Responda con el que prefiera.",
        "pay_short": "Su tarjeta regalo tiene {balance}, menos que los {amount} del pedido {order}, así que no puede "
        "pagarlo.",
        "pay_none": "No vemos otro método de pago en su cuenta para pagar el pedido {order}; cuando añada uno, "
        "escríbanos de nuevo.",
        "pay_shipped": "El pedido {order} ya se envió, así que su método de pago ya no puede cambiarse.",
        "pay_stays": "El pedido {order} sigue pagado como está{method}.",
        "stays_with": ", con {method}",
        "items_which_method": "Los nuevos artículos del pedido {order} ({changes}) cuestan {amount} {direction}: "
        "¿la diferencia va a {methods}? Responda con el que prefiera y cambiaremos los artículos.",
        "more": "más",
        "less": "menos",
        "question": "Gracias por su pregunta. Los artículos se pueden devolver en los 30 días siguientes a la "
        "entrega, y los reembolsos aparecen en su tarjeta en 5-10 días hábiles. Si se trata de un pedido concreto, "
        "responda con su número (por ejemplo SO-100123) y lo revisaremos.",
    },
    "fr": {
        "hello": "Bonjour {name},",
        "anyone": "",
        "bye": "Cordialement,\nLe service client",
        "sorry": "Nous sommes désolés pour la gêne occasionnée.",
        "card": " sur la carte se terminant par {last4}",
        "unreadable": "Nous n'avons pas pu lire votre message (vide, trop long ou pas du texte). Pourriez-vous nous "
        "réécrire en quelques phrases en indiquant le numéro de commande ?",
        "that_order": "cette commande",
        "order_n": "la commande {ref}",
        "not_found": "Nous ne trouvons pas {quoted} sur votre compte. Pourriez-vous vérifier le numéro dans votre "
        "e-mail de confirmation et nous le renvoyer ? Nous ne pouvons traiter que les commandes passées avec votre "
        "compte.",
        "waiting": "Votre demande concernant {orders} attend votre réponse ; nous la traiterons alors.",
        "which": "De quelle commande s'agit-il ? Sur votre compte nous voyons {listed}. Répondez avec son numéro et "
        "nous nous en occupons.",
        "identify": "Avant d'examiner une commande, nous devons être sûrs d'écrire au titulaire du compte. "
        "Pourriez-vous répondre depuis l'adresse e-mail de votre compte, ou nous l'indiquer, ou nous donner votre "
        "nom complet et le code postal de l'adresse de votre compte ?",
        "cancel_item": "Une commande s'annule en entier : nous ne pouvons pas annuler un seul article de la commande "
        "{order}. Nous pouvons annuler toute la commande ou changer cet article pour une autre variante : dites-nous "
        "ce que vous préférez.",
        "unclear": "Merci pour votre message. Pourriez-vous nous en dire un peu plus sur ce dont vous avez besoin "
        "(un remboursement, une annulation, où est votre commande...) et le numéro de commande ?",
        "dup_refunded": "Vous avez raison : la commande {order} a été débitée deux fois. Nous avons remboursé le "
        "débit en double de {amount}{card} ; votre commande reste active. Les remboursements apparaissent "
        "généralement sous 5 à 10 jours ouvrés.",
        "dup_none": "Nous avons vérifié la commande {order} : elle montre {count} débit(s) pour un total de "
        "{captured} pour une commande de {total}, nous ne voyons donc pas de double débit. Une autorisation de "
        "carte en attente peut ressembler à un second débit pendant quelques jours puis disparaît.",
        "cancel_shipped": "La commande {order} est déjà expédiée et ne peut plus être annulée ; vous pourrez la "
        "retourner à réception.",
        "cancel_refund": "Nous avons annulé la commande {order} et remboursé {amount}{card}.",
        "cancel_void": "Nous avons annulé la commande {order} et libéré l'autorisation de paiement sur votre carte.",
        "cancel_only": "Nous avons annulé la commande {order}.",
        "cancel_reason": "L'annulation enregistre le motif que vous avez donné : {reason}.",
        "items_changed": "Nous avons modifié les articles de la commande {order} avant son expédition : {changes}.",
        "items_same_price": "Le prix reste le même.",
        "items_exchanged": "Nous avons organisé l'échange sur la commande {order} : {changes}. Les nouveaux "
        "articles vous sont réservés ; merci de nous renvoyer les anciens.",
        "items_uncaptured": "Les nouveaux articles coûtent {amount} de moins ; seul le nouveau total est prélevé.",
        "items_refund": "Les nouveaux articles coûtent {amount} de moins ; nous remboursons la différence{card}.",
        "items_charge": "Les nouveaux articles coûtent {amount} de plus ; la différence est débitée{card}.",
        "items_which": "Pour ce que vous souhaitez modifier sur la commande {order}, ces options sont en "
        "stock :{choices}Laquelle souhaitez-vous ? Répondez-nous et nous modifierons l'article.",
        "anything_else": "Avant d'échanger {changes} sur la commande {order} : souhaitez-vous échanger autre chose "
        "de cette commande ({others}) ? Chaque article ne peut être échangé qu'une fois, dites-le-nous donc "
        "maintenant. Répondez « c'est tout », ou indiquez les articles et les options souhaitées.",
        "anything_else_too": "Souhaitez-vous échanger autre chose de la commande {order} ({others}) ? Chaque "
        "article ne peut être échangé qu'une fois, indiquez-le donc aussi dans votre réponse.",
        "cancel_why": "Pour annuler la commande {order}{refund}, dites-nous pourquoi : vous n'en avez plus "
        "besoin, ou elle a été passée par erreur. Répondez avec le motif et nous l'annulons.",
        "cancel_why_refund": " (et rembourser {amount}{card})",
        "no longer needed": "plus besoin",
        "ordered by mistake": "commandée par erreur",
        "was_cancelled": "La commande {order} a été annulée, elle ne sera donc pas livrée.",
        "in_transit": "La commande {order} est en route avec {carrier}, numéro de suivi {tracking}.",
        "delivered": "{carrier} indique la commande {order} comme livrée (numéro de suivi {tracking}).",
        "not_shipped": "La commande {order} n'est pas encore expédiée ; nous vous enverrons le numéro de suivi dès "
        "son départ.",
        "address_shipped": "La commande {order} est déjà expédiée, son adresse de livraison ne peut donc plus être "
        "modifiée.",
        "address_changed": "La commande {order} sera désormais livrée à l'adresse de votre compte : {address}.",
        "address_changed_to": "La commande {order} sera désormais livrée à : {address}.",
        "account_address_changed": "L'adresse de votre compte est désormais {address} ; les prochaines commandes y "
        "seront livrées.",
        "address_check_account": "Merci de la vérifier : si quelque chose est inexact, répondez et nous la "
        "corrigerons.",
        "about_order": "À propos de la commande {order} :",
        "address_already": "La commande {order} est déjà livrée à : {address}.",
        "address_check": "Merci de la vérifier : si quelque chose est inexact, répondez et nous la corrigerons avant "
        "l'expédition.",
        "address_missing": "Pour utiliser l'adresse que vous nous avez donnée ({evidence}), il nous faut aussi "
        "{missing}. Pourriez-vous répondre avec l'adresse complète : numéro et rue, ville, État et code postal ?",
        "address_which": "Quelle adresse devons-nous utiliser ? Nous voyons : {choices}. Répondez avec celle que vous "
        "souhaitez.",
        "address_corrected": "Notre système d'expédition n'a pas pu confirmer l'adresse que vous nous avez donnée "
        "({evidence}) telle qu'écrite ; il propose {suggestion}. Est-ce exact ? Répondez pour confirmer, ou envoyez "
        "l'adresse correcte.",
        "address_undeliverable": "Notre système d'expédition ne peut pas livrer à l'adresse que vous nous avez donnée "
        "({evidence}) : {issues}. Pourriez-vous la vérifier et répondre avec l'adresse complète ?",
        "part_street": "le numéro et la rue",
        "part_city": "la ville",
        "part_state": "l'État",
        "part_zip": "le code postal",
        "and": "et",
        "unknown_city": "il ne livre pas cette ville",
        "missing_street_number": "le numéro de rue manque",
        "unsupported_country": "il ne livre pas ce pays",
        "damaged": "Nous sommes désolés que votre commande {order} soit arrivée endommagée. Nous avons remboursé "
        "{amount}{card} ; inutile de la renvoyer.",
        "wrong": "Nous sommes désolés que votre commande {order} ne corresponde pas à ce que vous aviez commandé. "
        "Nous avons remboursé {amount}{card} ; inutile de la renvoyer.",
        "return_opened": "Nous avons ouvert un retour sur la commande {order} pour {items}. Dès réception par "
        "notre entrepôt, nous rembourserons {amount} {method}, en général sous 5 jours ouvrés.",
        "original_payment": "sur le moyen de paiement utilisé",
        "gift_card": "sur une carte cadeau",
        "which_items": "Quels articles de la commande {order} souhaitez-vous retourner ({items}) ? Répondez avec "
        "leurs noms et nous ouvrirons le retour.",
        "which_is_which": "Quels articles de la commande {order} souhaitez-vous retourner, et lesquels échanger "
        "et contre quelle option ({items}) ? Répondez-nous et nous poursuivrons.",
        "return_waiting": "Nous ne voyons pas encore le retour de la commande {order} comme reçu. Dès qu'il arrive "
        "à notre entrepôt, nous le remboursons, généralement sous 5 jours ouvrés.",
        "return_refunded": "Notre entrepôt a reçu votre retour de la commande {order}. Nous avons remboursé "
        "{amount}{card} pour les articles retournés ; les remboursements apparaissent généralement sous 5 à 10 "
        "jours ouvrés.",
        "return_covered": "Notre entrepôt a reçu votre retour de la commande {order}, et les remboursements de la "
        "commande couvrent déjà les articles retournés : rien de plus n'est dû.",
        "exchanged": "Nous avons échangé l'article {old} de la commande {order} contre {new} ; il vous est réservé. "
        "Merci de nous renvoyer le {old}.",
        "out_of_stock": "{new} est en rupture de stock pour l'article de la commande {order}, nous ne pouvons donc "
        "pas l'échanger pour l'instant.",
        "in_stock_are": " En stock : {options}. Répondez avec celui que vous préférez.",
        "none_in_stock": " Aucune autre option n'est en stock ; vous pouvez le retourner dans les 30 jours suivant "
        "la livraison pour un remboursement.",
        "method_card": "votre carte {brand} se terminant par {last4}",
        "method_gift": "votre carte cadeau",
        "method_paypal": "PayPal",
        "method_balance": " (solde {balance})",
        "method_or": " ou ",
        "method_to": " sur {method}",
        "paid_with": "La commande {order} est désormais payée avec {method} ({amount}) ; l'autorisation de paiement "
        "précédente ne retient plus rien.",
        "pay_which": "Pour payer la commande {order} autrement, quel moyen de paiement utiliser ? Vous pouvez payer "
        "avec {methods}. Répondez avec celui que vous préférez.",
        "pay_short": "Votre carte cadeau a un solde de {balance}, moins que les {amount} de la commande {order} ; "
        "elle ne peut donc pas la payer.",
        "pay_none": "Nous ne voyons aucun autre moyen de paiement sur votre compte pour payer la commande {order} ; "
        "ajoutez-en un puis écrivez-nous à nouveau.",
        "pay_shipped": "La commande {order} a déjà été expédiée ; son moyen de paiement ne peut plus être modifié.",
        "pay_stays": "La commande {order} reste payée telle quelle{method}.",
        "stays_with": ", avec {method}",
        "items_which_method": "Les nouveaux articles de la commande {order} ({changes}) coûtent {amount} "
        "{direction} : la différence va-t-elle sur {methods} ? Répondez avec votre choix et nous modifierons les "
        "articles.",
        "more": "de plus",
        "less": "de moins",
        "question": "Merci pour votre question. Les articles peuvent être retournés dans les 30 jours suivant la "
        "livraison, et les remboursements apparaissent sur votre carte sous 5 à 10 jours ouvrés. S'il s'agit d'une "
        "commande précise, répondez avec son numéro (par exemple SO-100123) et nous la vérifierons.",
    },
    "de": {
        "hello": "Hallo {name},",
        "anyone": "",
        "bye": "Viele Grüße\nIhr Kundenservice",
        "sorry": "Es tut uns leid, dass Ihnen dadurch Ärger entstanden ist.",
        "card": " auf die Karte mit der Endung {last4}",
        "unreadable": "Wir konnten Ihre Nachricht nicht lesen (sie war leer, zu lang oder kein Text). Können Sie "
        "uns in wenigen Sätzen noch einmal schreiben und die Bestellnummer nennen?",
        "that_order": "diese Bestellung",
        "order_n": "die Bestellung {ref}",
        "not_found": "Wir finden {quoted} nicht in Ihrem Konto. Können Sie die Bestellnummer in Ihrer "
        "Bestätigungs-E-Mail prüfen und uns antworten? Wir können nur bei Bestellungen aus Ihrem Konto helfen.",
        "waiting": "Ihr Anliegen zu {orders} wartet auf Ihre Antwort; wir kümmern uns dann darum.",
        "which": "Um welche Bestellung geht es? In Ihrem Konto sehen wir {listed}. Antworten Sie mit der Nummer, "
        "und wir kümmern uns darum.",
        "identify": "Bevor wir uns eine Bestellung ansehen, müssen wir sicher sein, dass wir dem Kontoinhaber "
        "schreiben. Können Sie von der E-Mail-Adresse Ihres Kontos antworten, uns diese Adresse nennen oder Ihren "
        "vollständigen Namen und die Postleitzahl der Adresse Ihres Kontos?",
        "cancel_item": "Eine Bestellung wird nur als Ganzes storniert, ein einzelner Artikel der Bestellung {order} "
        "also nicht. Wir können die ganze Bestellung stornieren oder den Artikel gegen eine andere Variante tauschen: "
        "Antworten Sie uns, was Ihnen lieber ist.",
        "unclear": "Danke für Ihre Nachricht. Können Sie uns etwas mehr dazu sagen, was Sie brauchen (eine "
        "Erstattung, eine Stornierung, wo Ihre Bestellung ist...) und um welche Bestellnummer es geht?",
        "dup_refunded": "Sie haben recht: Die Bestellung {order} wurde zweimal belastet. Wir haben die doppelte "
        "Belastung von {amount}{card} erstattet; Ihre Bestellung bleibt aktiv. Erstattungen sind meist nach 5-10 "
        "Werktagen sichtbar.",
        "dup_none": "Wir haben die Bestellung {order} geprüft: Sie zeigt {count} Belastung(en) über insgesamt "
        "{captured} bei einem Bestellwert von {total}; eine doppelte Belastung sehen wir also nicht. Eine offene "
        "Kartenautorisierung kann einige Tage wie eine zweite Belastung aussehen und verschwindet dann.",
        "cancel_shipped": "Die Bestellung {order} ist bereits versandt und kann nicht mehr storniert werden; Sie "
        "können sie nach Erhalt zurücksenden.",
        "cancel_refund": "Wir haben die Bestellung {order} storniert und {amount}{card} erstattet.",
        "cancel_void": "Wir haben die Bestellung {order} storniert und die Zahlungsautorisierung auf Ihrer Karte "
        "freigegeben.",
        "cancel_only": "Wir haben die Bestellung {order} storniert.",
        "cancel_reason": "Die Stornierung vermerkt Ihren Grund: {reason}.",
        "items_changed": "Wir haben die Artikel der Bestellung {order} vor dem Versand geändert: {changes}.",
        "items_same_price": "Der Preis bleibt gleich.",
        "items_exchanged": "Wir haben den Umtausch der Bestellung {order} veranlasst: {changes}. Die neuen "
        "Artikel sind für Sie reserviert; bitte senden Sie die alten zurück.",
        "items_uncaptured": "Die neuen Artikel kosten {amount} weniger; es wird nur der neue Gesamtbetrag belastet.",
        "items_refund": "Die neuen Artikel kosten {amount} weniger; wir erstatten die Differenz{card}.",
        "items_charge": "Die neuen Artikel kosten {amount} mehr; die Differenz wird belastet{card}.",
        "items_which": "Für die gewünschte Änderung an der Bestellung {order} sind diese Optionen vorrätig:"
        "{choices}Welche möchten Sie? Antworten Sie, dann ändern wir den Artikel.",
        "anything_else": "Bevor wir {changes} der Bestellung {order} umtauschen: Möchten Sie noch etwas aus dieser "
        "Bestellung umtauschen ({others})? Jeder Artikel kann nur einmal umgetauscht werden, sagen Sie es uns "
        "also jetzt. Antworten Sie „das ist alles“ oder nennen Sie die Artikel und die gewünschten Optionen.",
        "anything_else_too": "Möchten Sie noch etwas aus der Bestellung {order} umtauschen ({others})? Jeder "
        "Artikel kann nur einmal umgetauscht werden, nennen Sie ihn also bitte auch in Ihrer Antwort.",
        "cancel_why": "Um die Bestellung {order}{refund} zu stornieren, sagen Sie uns bitte den Grund: Sie "
        "brauchen sie nicht mehr, oder sie wurde versehentlich bestellt. Antworten Sie mit dem Grund, dann "
        "stornieren wir sie.",
        "cancel_why_refund": " (und {amount}{card} zu erstatten)",
        "no longer needed": "nicht mehr benötigt",
        "ordered by mistake": "versehentlich bestellt",
        "was_cancelled": "Die Bestellung {order} wurde storniert und wird daher nicht geliefert.",
        "in_transit": "Die Bestellung {order} ist mit {carrier} unterwegs, Sendungsnummer {tracking}.",
        "delivered": "{carrier} meldet die Bestellung {order} als zugestellt (Sendungsnummer {tracking}).",
        "not_shipped": "Die Bestellung {order} ist noch nicht versandt; wir schicken Ihnen die Sendungsnummer, "
        "sobald sie unterwegs ist.",
        "address_shipped": "Die Bestellung {order} ist bereits versandt, daher kann die Lieferadresse nicht mehr "
        "geändert werden.",
        "address_changed": "Die Bestellung {order} wird jetzt an die Adresse aus Ihrem Konto geliefert: {address}.",
        "address_changed_to": "Die Bestellung {order} wird jetzt an diese Adresse geliefert: {address}.",
        "account_address_changed": "Die Adresse in Ihrem Konto lautet jetzt {address}; künftige Bestellungen werden "
        "dorthin geliefert.",
        "address_check_account": "Bitte prüfen Sie sie: Falls etwas nicht stimmt, antworten Sie, und wir "
        "korrigieren es.",
        "about_order": "Zur Bestellung {order}:",
        "address_already": "Die Bestellung {order} wird bereits an diese Adresse geliefert: {address}.",
        "address_check": "Bitte prüfen Sie sie: Falls etwas nicht stimmt, antworten Sie, und wir korrigieren es vor "
        "dem Versand.",
        "address_missing": "Um die angegebene Adresse ({evidence}) zu verwenden, brauchen wir noch {missing}. Können "
        "Sie mit der vollständigen Adresse antworten: Straße und Hausnummer, Stadt, Bundesstaat und Postleitzahl?",
        "address_which": "Welche Adresse sollen wir verwenden? Wir sehen: {choices}. Antworten Sie mit der "
        "gewünschten.",
        "address_corrected": "Unser Versandsystem konnte die angegebene Adresse ({evidence}) so nicht bestätigen; es "
        "schlägt {suggestion} vor. Stimmt das? Antworten Sie zur Bestätigung oder senden Sie die richtige Adresse.",
        "address_undeliverable": "Unser Versandsystem kann an die angegebene Adresse ({evidence}) nicht liefern: "
        "{issues}. Können Sie sie prüfen und mit der vollständigen Adresse antworten?",
        "part_street": "Straße und Hausnummer",
        "part_city": "die Stadt",
        "part_state": "den Bundesstaat",
        "part_zip": "die Postleitzahl",
        "and": "und",
        "unknown_city": "es liefert nicht in diese Stadt",
        "missing_street_number": "die Hausnummer fehlt",
        "unsupported_country": "es liefert nicht in dieses Land",
        "damaged": "Es tut uns leid, dass Ihre Bestellung {order} beschädigt ankam. Wir haben {amount}{card} "
        "erstattet; Sie müssen sie nicht zurücksenden.",
        "wrong": "Es tut uns leid, dass Ihre Bestellung {order} nicht dem Bestellten entsprach. Wir haben "
        "{amount}{card} erstattet; Sie müssen sie nicht zurücksenden.",
        "return_opened": "Wir haben für Bestellung {order} eine Rücksendung von {items} angelegt. Sobald unser "
        "Lager sie erhält, erstatten wir {amount} {method}, meist innerhalb von 5 Werktagen.",
        "original_payment": "auf das verwendete Zahlungsmittel",
        "gift_card": "auf eine Geschenkkarte",
        "which_items": "Welche Artikel der Bestellung {order} möchten Sie zurücksenden ({items})? Antworten Sie "
        "mit ihren Namen, dann legen wir die Rücksendung an.",
        "which_is_which": "Welche Artikel der Bestellung {order} möchten Sie zurücksenden, und welche gegen "
        "welche Option umtauschen ({items})? Antworten Sie uns, dann machen wir weiter.",
        "return_waiting": "Wir sehen die Rücksendung der Bestellung {order} noch nicht als eingegangen. Sobald sie "
        "in unserem Lager ankommt, erstatten wir sie, meist innerhalb von 5 Werktagen.",
        "return_refunded": "Unser Lager hat Ihre Rücksendung der Bestellung {order} erhalten. Wir haben "
        "{amount}{card} für die zurückgesandten Artikel erstattet; Erstattungen sind meist nach 5-10 Werktagen "
        "sichtbar.",
        "return_covered": "Unser Lager hat Ihre Rücksendung der Bestellung {order} erhalten, und die Erstattungen "
        "der Bestellung decken die zurückgesandten Artikel bereits ab; es ist nichts mehr offen.",
        "exchanged": "Wir haben den Artikel in {old} aus der Bestellung {order} gegen {new} umgetauscht; er ist für "
        "Sie reserviert. Bitte senden Sie den Artikel in {old} zurück.",
        "out_of_stock": "{new} ist für den Artikel der Bestellung {order} ausverkauft, daher können wir ihn gerade "
        "nicht umtauschen.",
        "in_stock_are": " Vorrätig: {options}. Antworten Sie mit der gewünschten Variante.",
        "none_in_stock": " Keine andere Variante ist vorrätig; Sie können den Artikel innerhalb von 30 Tagen nach "
        "der Lieferung zur Erstattung zurücksenden.",
        "method_card": "{brand}-Karte mit der Endung {last4}",
        "method_gift": "Geschenkkarte",
        "method_paypal": "PayPal",
        "method_balance": " (Guthaben {balance})",
        "method_or": " oder ",
        "method_to": " per {method}",
        "paid_with": "Die Bestellung {order} wird jetzt per {method} bezahlt ({amount}); die bisherige "
        "Zahlungsautorisierung hält nichts mehr zurück.",
        "pay_which": "Womit sollen wir die Bestellung {order} stattdessen bezahlen? Sie können per {methods} "
        "bezahlen. Antworten Sie mit Ihrer Wahl.",
        "pay_short": "Ihre Geschenkkarte hat ein Guthaben von {balance}, weniger als die {amount} der Bestellung "
        "{order}; damit lässt sie sich nicht bezahlen.",
        "pay_none": "Wir sehen in Ihrem Konto keine andere Zahlungsmethode für die Bestellung {order}; fügen Sie "
        "eine hinzu und schreiben Sie uns erneut.",
        "pay_shipped": "Die Bestellung {order} wurde bereits versandt; die Zahlungsmethode lässt sich nicht mehr "
        "ändern.",
        "pay_stays": "Die Bestellung {order} bleibt bezahlt wie bisher{method}.",
        "stays_with": ", per {method}",
        "items_which_method": "Die neuen Artikel der Bestellung {order} ({changes}) kosten {amount} {direction}: "
        "soll die Differenz auf {methods}? Antworten Sie mit Ihrer Wahl, dann ändern wir die Artikel.",
        "more": "mehr",
        "less": "weniger",
        "question": "Danke für Ihre Frage. Artikel können innerhalb von 30 Tagen nach der Lieferung zurückgegeben "
        "werden, und Erstattungen erscheinen nach 5-10 Werktagen auf Ihrer Karte. Geht es um eine bestimmte "
        "Bestellung, antworten Sie mit ihrer Nummer (zum Beispiel SO-100123), und wir sehen nach.",
    },
}

#: Tool -> the words that announce its effect, in every language (a reply says them only when the plan acts).
PROMISES: dict[str, tuple[str, ...]] = {
    "refund_payment": (
        "have refunded",
        "and refunded",
        "hemos reembolsado",
        "y reembolsado",
        "avons remboursé",
        "et remboursé",
        "erstattet",
    ),
    "cancel_order": ("have cancelled", "hemos cancelado", "avons annulé", "bestellung {order} storniert"),
    "void_authorization": ("released the payment", "liberado la autorización", "libéré l'autorisation", "freigegeben"),
    "change_ship_to": (
        "will now ship to",
        "se enviará ahora",
        "sera désormais livrée",
        "an die adresse aus ihrem konto",
        "wird jetzt an diese adresse",
    ),
    "update_customer_address": (
        "address on your account is now",
        "dirección de su cuenta es ahora",
        "adresse de votre compte est désormais",
        "adresse in ihrem konto lautet jetzt",
    ),
    "open_return": ("opened a return", "abierto una devolución", "ouvert un retour", "rücksendung von"),
    "modify_order_items": (
        "have changed the items",
        "hemos cambiado los artículos",
        "avons modifié les articles",
        "artikel der bestellung {order} vor dem versand geändert",
    ),
    "exchange_order_items": (
        "arranged the exchange",
        "preparado el cambio",
        "organisé l'échange",
        "umtausch der bestellung {order} veranlasst",
    ),
    "exchange_order_item": ("have exchanged", "hemos cambiado el artículo", "avons échangé", "umgetauscht;"),
    "change_order_payment": ("is now paid with", "ahora se paga con", "est désormais payée avec", "wird jetzt per"),
}


def _money(value: float) -> str:
    return f"{value:,.2f}"


def say(language: str, key: str, **fields: Any) -> str:
    """One sentence in the language (English when it has no templates)."""
    table = T.get(language, T["en"])
    return table[key].format(**fields)


def _fragment(intent: str, facts: Mapping[str, Any], lang: str) -> str | None:
    """The sentences about one request, from the facts only (None: this request goes to a person)."""
    order = facts.get("order.id")
    last4 = facts.get("payment.card_last4")
    card = say(lang, "card", last4=last4) if last4 else ""
    amount = facts.get("refund.amount")
    money = _money(amount) if amount else ""
    carrier, tracking = facts.get("shipment.carrier"), facts.get("shipment.tracking")
    status = facts.get("shipment.status")
    if intent == "double_charge":
        if facts.get("payment.duplicate") and amount:
            return say(lang, "dup_refunded", order=order, amount=money, card=card)
        if facts.get("payment.capture_count") is not None:
            return say(
                lang,
                "dup_none",
                order=order,
                count=facts["payment.capture_count"],
                captured=_money(facts.get("payment.captured") or 0.0),
                total=_money(facts.get("order.total") or 0.0),
            )
        return None
    if intent == "cancel_order":
        if not facts.get("order.cancellable"):
            return say(lang, "cancel_shipped", order=order)
        reason = facts.get("cancel.reason")
        if reason not in ("no longer needed", "ordered by mistake"):
            refund = say(lang, "cancel_why_refund", amount=money, card=card) if amount else ""
            return say(lang, "cancel_why", order=order, refund=refund)
        why = " " + say(lang, "cancel_reason", reason=say(lang, str(reason)))
        if amount:
            return say(lang, "cancel_refund", order=order, amount=money, card=card) + why
        if facts.get("payment.uncaptured"):
            return say(lang, "cancel_void", order=order) + why
        return say(lang, "cancel_only", order=order) + why
    if intent in ("where_is_order", "not_received"):
        if facts.get("order.status") == "cancelled":
            return say(lang, "was_cancelled", order=order)
        if status == "in_transit":
            return say(lang, "in_transit", order=order, carrier=carrier, tracking=tracking)
        if status == "delivered" and intent == "where_is_order":
            return say(lang, "delivered", order=order, carrier=carrier, tracking=tracking)
        if status is None and facts.get("order.status") and not facts.get("order.shipped"):
            return say(lang, "not_shipped", order=order)
        return None
    if intent == "cancel_item":
        return say(lang, "cancel_item" if facts.get("order.cancellable") else "cancel_shipped", order=order)
    if intent == "change_address":
        return _address_fragment(facts, lang)
    if intent in ("damaged_item", "wrong_item"):
        if {"exchange_variant", "return_refund"} & set(facts.get(TYPES_FACT) or []):
            # exchanged or sent back as they asked (SUP-005 exchange-asked, return-asked): the exchange or the
            # return says what happens, no refund is said to be made now
            return say(lang, "sorry")
        if amount and facts.get("refund.capture_id"):
            return say(lang, "damaged" if intent == "damaged_item" else "wrong", order=order, amount=money, card=card)
        return None
    if intent == "return_refund":
        if facts.get("return.requested") and facts.get("order.status") == "delivered":
            listed = _items(facts, facts.get("return.lines") or [])
            if listed and facts.get("return.open_value") is not None:
                method = say(lang, str(facts.get("return.refund_to") or "original_payment"))
                value = _money(float(facts["return.open_value"]))
                return say(lang, "return_opened", order=order, items=listed, amount=value, method=method)
            if facts.get("return.which_is_which"):
                return say(lang, "which_is_which", order=order, items=_items(facts, None))
            if facts.get("return.which_items"):
                return say(lang, "which_items", order=order, items=_items(facts, None))
        if not facts.get("return.received"):
            return say(lang, "return_waiting", order=order)
        if amount and facts.get("refund.capture_id"):
            return say(lang, "return_refunded", order=order, amount=money, card=card)
        if facts.get("return.refund_due") == 0:
            return say(lang, "return_covered", order=order)
        return None
    if intent == "change_payment":
        return _payment_fragment(facts, lang)
    if intent == "exchange_variant" and facts.get("return.which_is_which"):
        return ""  # asked with the return: which items go back and which are exchanged
    if intent == "exchange_variant" and facts.get("modify.resolved") is True:
        if facts.get("modify.ambiguous"):
            # one item a line: what it is now and the options of its product in stock
            listed = "".join(f"\n- {choice}" for choice in facts.get("modify.choices") or [])
            return say(lang, "items_which", order=order, choices=listed + "\n") + _anything_else_too(facts, lang)
        if facts.get("paymethod.blocks_items"):
            return ""  # the items change with the payment, once the customer says which method (asked)
        if facts.get("modify.method_asked"):
            return _which_method_for_difference(facts, lang)
        if facts.get("exchange.anything_else"):
            return _anything_else(facts, lang, str(facts.get("modify.summary") or ""))
        if chosen := _method_of(facts, facts.get("modify.method_id")):
            card = say(lang, "method_to", method=_method_words(lang, chosen))
        sentence = "items_exchanged" if facts.get("order.status") == "delivered" else "items_changed"
        changed = say(lang, sentence, order=order, changes=facts.get("modify.summary"))
        difference = float(facts.get("modify.difference") or 0.0)
        if abs(difference) < 0.005:
            return changed + " " + say(lang, "items_same_price")
        key = "items_charge" if difference > 0 else "items_refund"
        if difference < 0 and facts.get("payment.uncaptured"):
            key = "items_uncaptured"
        return changed + " " + say(lang, key, amount=_money(abs(difference)), card=card)
    if intent == "exchange_variant":
        new, old = facts.get("exchange.option"), facts.get("exchange.from_option")
        if not new or not facts.get("exchange.same_price"):
            return None
        if facts.get("exchange.anything_else"):
            return _anything_else(facts, lang, f"{old} -> {new}")
        if facts.get("exchange.in_stock"):
            return say(lang, "exchanged", order=order, old=old, new=new)
        options = [o for o in facts.get("exchange.options_in_stock") or [] if o != old]
        tail = say(lang, "in_stock_are", options=", ".join(options)) if options else say(lang, "none_in_stock")
        return say(lang, "out_of_stock", order=order, new=new) + tail
    if intent == "question":
        return say(lang, "question")
    return None


def _anything_else(facts: Mapping[str, Any], lang: str, changes: str) -> str:
    """Asked before an exchange is made: anything else on the order to exchange? (SUP-007, each item once)."""
    others = ", ".join(dict.fromkeys(facts.get("exchange.others") or []))  # two helmets named once
    return say(lang, "anything_else", order=facts.get("order.id"), changes=changes, others=others)


def _anything_else_too(facts: Mapping[str, Any], lang: str) -> str:
    """The same, added to a question the exchange asks anyway (which variant), when the order holds other items."""
    others = facts.get("exchange.others") or []
    if facts.get("order.status") != "delivered" or facts.get("exchange.list_asked") or not others:
        return ""
    return " " + say(lang, "anything_else_too", order=facts.get("order.id"), others=", ".join(dict.fromkeys(others)))


def _listed(lang: str, parts: Sequence[str]) -> str:
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} {say(lang, 'and')} {parts[-1]}"


def _address_question(facts: Mapping[str, Any], lang: str) -> str | None:
    """What is asked about an address that cannot be used as written (None: nothing to ask)."""
    status, evidence = facts.get("address.status"), str(facts.get("address.evidence") or "")
    if status == "incomplete":
        missing = _listed(lang, [say(lang, f"part_{p}") for p in facts.get("address.missing") or ["street"]])
        return say(lang, "address_missing", evidence=evidence, missing=missing)
    if status == "which":
        return say(lang, "address_which", choices="; ".join(facts.get("address.choices") or []))
    if status == "corrected":
        return say(lang, "address_corrected", evidence=evidence, suggestion=facts.get("address.suggestion"))
    if status == "undeliverable":
        known = [i for i in facts.get("address.issues") or [] if i in T["en"]]
        issues = _listed(lang, [say(lang, i) for i in known]) if known else say(lang, "unknown_city")
        return say(lang, "address_undeliverable", evidence=evidence, issues=issues)
    return None


def _address_fragment(facts: Mapping[str, Any], lang: str) -> str | None:
    """An address change (SUP-006): the new address written out in full so the customer can catch a typo, or what
    is missing or what shipping found, asked; None when a person takes it."""
    order, status = facts.get("order.id"), facts.get("address.status")
    if facts.get("order.shipped"):
        return say(lang, "address_shipped", order=order)
    if (asked := _address_question(facts, lang)) is not None:
        return (say(lang, "about_order", order=order) + " " if order else "") + asked
    if status != "resolved":
        return None
    address, check = facts.get("address.summary"), say(lang, "address_check")
    if facts.get("address.for_order") is False:
        if facts.get("address.for_account") and facts.get("address.account_differs"):
            return say(lang, "account_address_changed", address=address) + " " + say(lang, "address_check_account")
        return None
    if (
        facts.get("order.cancellable")
        and facts.get("address.differs") is False
        and facts.get("address.source") != "account"
    ):
        if facts.get("address.shipping_differs") is False:
            return say(lang, "address_already", order=order, address=address) + " " + check
        return None
    if not (facts.get("order.cancellable") and facts.get("address.differs")):
        return None
    key = "address_changed" if facts.get("address.source") == "account" else "address_changed_to"
    sentence = say(lang, key, order=order, address=address)
    if facts.get("address.for_account") and facts.get("address.account_differs"):
        sentence += " " + say(lang, "account_address_changed", address=address)
    return sentence + " " + check


def _method_of(facts: Mapping[str, Any], method_id: Any) -> Mapping[str, Any] | None:
    """A method of the customer's other than the order's own, as payments listed it (None: not one of them)."""
    if method_id is None:
        return None
    return next((m for m in facts.get("paymethod.others") or [] if m.get("payment_method_id") == method_id), None)


def _method_words(lang: str, method: Mapping[str, Any], balance: bool = False) -> str:
    """A payment method as the reply names it: its kind, a card's brand and last digits (never a full number)."""
    kind = method.get("kind")
    if kind == "card":
        return say(lang, "method_card", brand=str(method.get("brand") or "").capitalize(), last4=method.get("last4"))
    if kind == "gift_card":
        held = method.get("balance")
        shown = say(lang, "method_balance", balance=_money(float(held))) if balance and held is not None else ""
        return say(lang, "method_gift") + shown
    return say(lang, "method_paypal")


def _payment_fragment(facts: Mapping[str, Any], lang: str) -> str | None:
    """Paying an order another way (SUP-013): the method it is now paid with, or which of their other methods
    (listed by kind and last digits), or that it shipped; None when payments' methods are not known (a person)."""
    order = facts.get("order.id")
    if not facts.get("order.cancellable"):
        return say(lang, "pay_shipped", order=order)
    if not facts.get("paymethod.known"):
        return None
    amount = _money(float(facts.get("paymethod.amount") or 0.0))
    if facts.get("paymethod.ready"):
        # the payment moves now, also while the variant of an item changed with it is asked (SUP-013 v2)
        chosen = _method_of(facts, facts.get("paymethod.method_id"))
        return say(lang, "paid_with", order=order, method=_method_words(lang, chosen or {}), amount=amount)
    head = ""
    if facts.get("paymethod.kind") == "gift_card" and facts.get("paymethod.covers") is False:
        balance = _money(float(facts.get("paymethod.balance") or 0.0))
        head = say(lang, "pay_short", balance=balance, amount=amount, order=order) + " "
    if facts.get("paymethod.stays"):
        # none of their other methods could pay: nothing to ask, the order keeps the method it is paid with
        own = facts.get("paymethod.current")
        method = say(lang, "stays_with", method=_method_words(lang, own)) if own else ""
        return head + say(lang, "pay_stays", order=order, method=method)
    held = float(facts.get("paymethod.amount") or 0.0)
    others = [  # the methods that could pay for it: a gift card short of the payment is not offered
        _method_words(lang, m, balance=True)
        for m in facts.get("paymethod.others") or []
        if m.get("kind") != "gift_card" or float(m.get("balance") or 0.0) + 0.005 >= held
    ]
    if not others:
        return head + say(lang, "pay_none", order=order)
    listed = others[0] if len(others) == 1 else ", ".join(others[:-1]) + say(lang, "method_or") + others[-1]
    return head + say(lang, "pay_which", order=order, methods=listed)


def _which_method_for_difference(facts: Mapping[str, Any], lang: str) -> str:
    """The question when the method named for the order could not take it: the new items, the difference, and the
    customer's methods that could take it (the order's own first, a gift card with its balance when it covers it)."""
    difference = float(facts.get("modify.difference") or 0.0)
    own = facts.get("paymethod.current")
    offered = [_method_words(lang, own)] if own else []
    offered += [
        _method_words(lang, m, balance=True)
        for m in facts.get("paymethod.others") or []
        if m.get("kind") != "gift_card" or difference < 0 or float(m.get("balance") or 0.0) + 0.005 >= difference
    ]
    listed = offered[0] if len(offered) == 1 else ", ".join(offered[:-1]) + say(lang, "method_or") + offered[-1]
    return say(
        lang,
        "items_which_method",
        order=facts.get("order.id"),
        changes=facts.get("modify.summary"),
        amount=_money(abs(difference)),
        direction=say(lang, "more" if difference > 0 else "less"),
        methods=listed,
    )


def _items(facts: Mapping[str, Any], line_nos: Sequence[int] | None) -> str:
    """The order's items by name (those lines only, or all of them), as the ERP describes them."""
    named = facts.get("order.line_names") or {}
    chosen = [named[str(n)] for n in line_nos if str(n) in named] if line_nos is not None else list(named.values())
    return ", ".join(str(n) for n in chosen)


def compose_reply(facts: Mapping[str, Any]) -> str | None:
    """The reply draft for the whole ticket (None when some request must go to a person instead)."""
    lang = _language(facts)
    body = reply_body(facts)
    return None if body is None else _letter(facts, lang, body)


def _language(facts: Mapping[str, Any]) -> str:
    lang = str(facts.get("message.language") or "en")
    return lang if lang in T else "en"


def _letter(facts: Mapping[str, Any], lang: str, body: str) -> str:
    """The body between the greeting (by the customer's first name) and the sign-off."""
    name = display_name(facts.get("customer.name"), first=True, fallback=T[lang]["anyone"])  # data, never markup
    opening = say(lang, "hello", name=name).replace(" ,", ",").replace(" :", ":")
    sorry = " " + say(lang, "sorry") if facts.get("message.angry") else ""
    return f"{opening}\n\n{body}{sorry}\n\n{say(lang, 'bye')}"


def reply_body(facts: Mapping[str, Any]) -> str | None:
    """What the reply says of the ticket's requests, without greeting and sign-off (None: a person answers)."""
    lang = _language(facts)
    types = facts.get(TYPES_FACT) or []
    ref = facts.get("order.ref")
    if "unreadable_message" in types:
        body = [say(lang, "unreadable")]
    elif "identify_customer" in types:
        body = [say(lang, "identify")]
    elif "order_not_found" in types or "order_not_owned" in types:
        quoted = say(lang, "order_n", ref=ref) if ref else say(lang, "that_order")
        body = [say(lang, "not_found", quoted=quoted)]
    elif "which_order" in types:
        body = [say(lang, "which", listed=", ".join(facts.get("order.candidates") or []))]
    elif "unclear_request" in types:
        body = [say(lang, "unclear")]
    else:
        parts = [_fragment(t, facts, lang) for t in types]
        if any(p is None for p in parts):
            return None
        body = [p for p in parts if p]
    return " ".join(body)


def compose_plan_reply(shared: Mapping[str, Any], parts: Sequence[Mapping[str, Any]]) -> str | None:
    """One reply for a request about several orders (each part's facts): every part's own sentences with its own
    figures, in one letter. When a part asks the customer something (its reply leaves the ticket pending), the
    reply is those questions only, and the other orders are named as waiting for the answer: nothing is done on
    them yet, so nothing is announced. None when a part's reply must come from a person."""
    lang = _language(shared)
    asking = [p for p in parts if p.get("reply.status") == "pending"]
    bodies = [reply_body(p) for p in (asking or parts)]
    if any(b is None for b in bodies):
        return None
    text = " ".join(b for b in bodies if b)
    if asking and (waiting := [say(lang, "order_n", ref=p.get("order.id")) for p in parts if p not in asking]):
        text += " " + say(lang, "waiting", orders=", ".join(waiting))
    return _letter(shared, lang, text)


#: Where a sentence of a reply ends (not inside an amount: "35.00").
_SENTENCE_END = re.compile(r"(?<=[.!?:])\s+")


def said_of_order(body: str, order: str | None, orders: Sequence[str]) -> str:
    """What a reply about several ``orders`` says of ``order``: the sentences naming it, and those naming no order
    that follow them; a sentence before any order is named is said of every order (the whole body when it names no
    other order)."""
    others = [o for o in dict.fromkeys(orders) if o and o != order]
    if not order or not others:
        return body
    named = sorted({order, *others}, key=len, reverse=True)
    mention = re.compile("|".join(rf"(?<!\w){re.escape(o)}(?!\w)" for o in named))
    kept, owners = [], {order}
    for sentence in _SENTENCE_END.split(body):
        owners = {m.group(0) for m in mention.finditer(sentence)} or owners
        if order in owners:
            kept.append(sentence)
    return " ".join(kept)


def stated_outcomes(body: str, order: str | None, orders: Sequence[str] = ()) -> set[str]:
    """The tools whose effect a reply states as done for ``order`` (of the ``orders`` it may speak of): each must
    have run before the reply is sent, never merely proposed or waiting for the customer's answer."""
    return promises(said_of_order(body, order, orders), order)


def promises(body: str, order: str | None = None) -> set[str]:
    """The tools whose effect a reply announces (in any of the languages)."""
    folded = body.casefold()
    return {
        tool
        for tool, words in PROMISES.items()
        if any(w.format(order=order or "").casefold() in folded for w in words if order or "{order}" not in w)
    }
