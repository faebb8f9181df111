# The index graph of the precomputation lever (bench.levers): counts that aim-kg load could
# write next to the events. Not part of the graph contract: measured only.
PREFIX aim:    <https://w3id.org/aim-kg/ontology#>
PREFIX schema: <https://schema.org/>
PREFIX idx:    <https://w3id.org/aim-kg/bench/index#>

INSERT { GRAPH idx:graph { ?event idx:articles ?articles } }
WHERE { SELECT ?event (COUNT(*) AS ?articles) WHERE { GRAPH ?g { ?event aim:article ?article } } GROUP BY ?event } ;

INSERT { GRAPH idx:graph { ?event idx:languages ?languages } }
WHERE {
  SELECT ?event (COUNT(DISTINCT ?language) AS ?languages) WHERE {
    { SELECT ?article ?language WHERE { GRAPH ?g { ?article schema:inLanguage ?language } } }
    { SELECT ?event ?article WHERE { GRAPH ?g { ?event aim:article ?article } } }
  } GROUP BY ?event
} ;

INSERT { GRAPH idx:graph { ?publisher idx:events ?events ; idx:articles ?articles } }
WHERE {
  SELECT ?publisher (COUNT(DISTINCT ?event) AS ?events) (COUNT(DISTINCT ?article) AS ?articles) WHERE {
    { SELECT ?article ?publisher WHERE { GRAPH ?g { ?article schema:publisher ?publisher } } }
    { SELECT ?article ?event WHERE { GRAPH ?g { ?article schema:about ?event } } }
  } GROUP BY ?publisher
} ;

INSERT { GRAPH idx:graph { ?pair idx:first ?p1 ; idx:second ?p2 ; idx:events ?events } }
WHERE {
  SELECT ?p1 ?p2 (COUNT(*) AS ?events) (IRI(CONCAT(STR(idx:), "pair-", MD5(CONCAT(STR(?p1), " ", STR(?p2))))) AS ?pair) WHERE {
    { SELECT ?event ?p1 WHERE { GRAPH ?g { ?event aim:principle ?p1 } } }
    { SELECT ?event ?p2 WHERE { GRAPH ?g { ?event aim:principle ?p2 } } }
  } GROUP BY ?p1 ?p2
}
