// The QueryLake dataset language: SQL first, plus dataset statements.
// This file is the truth for the syntax; docs/language.md explains it. Keywords are case-insensitive.
// Regenerate the C# parser with `bash grammar/generate.sh` (antlr-ng); the output is committed.
grammar QueryLake;

script
    : SEMICOLON* (statement (SEMICOLON+ statement)* SEMICOLON*)? EOF
    ;

singleStatement
    : statement SEMICOLON* EOF
    ;

statement
    : EXPLAIN ANALYZE? statement                                                        # explain
    | query                                                                             # queryStatement
    | CREATE (OR REPLACE)? (DATASET | TABLE) (IF NOT EXISTS)? name=identifier
        (LPAREN columnDefinition (COMMA columnDefinition)* RPAREN)? (AS query)?          # createDataset
    | DROP (DATASET | TABLE) (IF EXISTS)? name=identifier                                # dropDataset
    | INSERT INTO name=identifier (LPAREN identifierList RPAREN)? query                  # insert
    | UPDATE name=identifier SET assignment (COMMA assignment)* (FROM from=relation)? (WHERE where=expression)? # update
    | DELETE FROM name=identifier (WHERE where=expression)?                             # delete
    | MERGE INTO name=identifier USING source=relation ON on=expression mergeClause+     # merge
    | ALTER DATASET name=identifier ADD COLUMN? column=identifier dataType?
        (AS expression)?                                                                 # addColumn
    | ALTER DATASET name=identifier SET TIER tier=(HOT | COLD) (LOCATION location=STRING)?
        (OLDER THAN age=INTEGER_VALUE unit=(DAYS | DAY | VERSIONS | VERSION))? (WHERE where=expression)? # setTier
    | SHOW DATASETS                                                                      # showDatasets
    | SHOW FRAGMENTS (FROM | OF)? name=identifier                                        # showFragments
    | SHOW COLUMNS (FROM | OF)? name=identifier                                          # showColumns
    | SHOW VERSIONS OF name=identifier                                                   # showVersions
    | CHECK DATASET name=identifier (VERSION version=INTEGER_VALUE)?                     # checkDataset
    | VACUUM (DATASET? name=identifier)? (RETAIN amount=INTEGER_VALUE unit=(DAYS | DAY | VERSIONS | VERSION))? # vacuum
    | COMPACT DATASET? name=identifier (TARGET ROWS rows=INTEGER_VALUE)?                # compact
    | (BEGIN | START) (TRANSACTION | WORK)?                                              # beginTransaction
    | (COMMIT | END) (TRANSACTION | WORK)?                                               # commitTransaction
    | (ROLLBACK | ABORT) (TRANSACTION | WORK)?                                           # rollbackTransaction
    | (DESCRIBE | DESC) (name=identifier | LPAREN query RPAREN)                           # describe
    | COPY LPAREN query RPAREN TO target=STRING (LPAREN copyOption (COMMA copyOption)* RPAREN)? # copy
    | CREATE VIEW name=identifier (FOLLOW LATEST)? AS query                              # createView
    | DROP VIEW (IF EXISTS)? name=identifier                                             # dropView
    | SHOW VIEWS                                                                         # showViews
    | SHOW LINEAGE OF? (name=identifier (DOT column=identifier)? | target=STRING)       # showLineage
    | SHOW EXPORTS                                                                       # showExports
    | SET (SESSION)? name=identifier (EQ | TO) value=expression                          # setSetting
    | RESET (ALL | name=identifier)                                                      # resetSetting
    | SHOW SETTINGS                                                                      # showSettings
    | CREATE SPLIT name=identifier FROM LPAREN query RPAREN INTO splitPart (COMMA splitPart)*
        (STRATIFY BY stratum=expression)? (GROUP BY key=expression)? SEED seed=INTEGER_VALUE # createSplit
    | REFRESH SPLIT name=identifier                                                      # refreshSplit
    | DROP SPLIT (IF EXISTS)? name=identifier                                            # dropSplit
    | SHOW SPLITS                                                                        # showSplits
    | IMPORT PREDICTIONS source=STRING INTO name=identifier RUN run=STRING (KEY key=identifier)? # importPredictions
    | IMPORT format=identifier source=STRING INTO name=identifier
        (LPAREN copyOption (COMMA copyOption)* RPAREN)?                                  # importData
    ;

columnDefinition
    : identifier dataType columnConstraint*
    ;

columnConstraint
    : NOT NULL                                                                           # notNullConstraint
    | NULL                                                                               # nullableConstraint
    | PRIMARY KEY                                                                        # primaryKeyConstraint
    | UNIQUE                                                                             # uniqueConstraint
    ;

mergeClause
    : WHEN MATCHED THEN UPDATE SET assignment (COMMA assignment)*                         # mergeUpdate
    | WHEN MATCHED THEN DELETE                                                           # mergeDelete
    | WHEN NOT MATCHED THEN INSERT (LPAREN identifierList RPAREN)? VALUES LPAREN expression (COMMA expression)* RPAREN # mergeInsert
    ;

splitPart
    : identifier amount=(INTEGER_VALUE | DECIMAL_VALUE) PERCENT
    ;

assignment
    : identifier EQ expression
    ;

copyOption
    : SHUFFLE (SEED seed=INTEGER_VALUE)?                                                 # shuffleOption
    | identifier (expression)?                                                           # namedOption
    ;

query
    : with? queryExpression orderBy? limitClause?
    ;

with
    : WITH RECURSIVE? commonTableExpression (COMMA commonTableExpression)*
    ;

commonTableExpression
    : name=identifier (LPAREN identifierList RPAREN)? AS LPAREN query RPAREN
    ;

queryExpression
    : queryPrimary                                                                       # primaryQuery
    | left=queryExpression op=INTERSECT quantifier=setQuantifier? right=queryExpression  # setOperation
    | left=queryExpression op=(UNION | EXCEPT) quantifier=setQuantifier? right=queryExpression # setOperation
    ;

queryPrimary
    : select                                                                             # selectQuery
    | VALUES rowValue (COMMA rowValue)*                                                  # valuesQuery
    | LPAREN query RPAREN                                                                # parenthesizedQuery
    ;

rowValue
    : LPAREN expression (COMMA expression)* RPAREN
    ;

select
    : SELECT setQuantifier? selectItem (COMMA selectItem)*
      (FROM relation (COMMA relation)*)?
      (WHERE where=expression)?
      (GROUP BY groupBy)?
      (HAVING having=expression)?
      (WINDOW windowDefinition (COMMA windowDefinition)*)?
      (QUALIFY qualify=expression)?
    ;

setQuantifier
    : DISTINCT
    | ALL
    ;

selectItem
    : expression (AS? alias=identifier)?                                                 # selectExpression
    | (qualifier=identifier DOT)? STAR (EXCLUDE LPAREN identifierList RPAREN)?           # selectAll
    ;

groupBy
    : ALL
    | groupingElement (COMMA groupingElement)*
    ;

groupingElement
    : ROLLUP LPAREN expression (COMMA expression)* RPAREN                                # rollup
    | CUBE LPAREN expression (COMMA expression)* RPAREN                                  # cube
    | GROUPING SETS LPAREN groupingSet (COMMA groupingSet)* RPAREN                       # groupingSets
    | expression                                                                         # groupingExpression
    ;

groupingSet
    : LPAREN (expression (COMMA expression)*)? RPAREN
    | expression
    ;

orderBy
    : ORDER BY sortItem (COMMA sortItem)*
    ;

sortItem
    : expression ordering=(ASC | DESC)? (NULLS nullOrdering=(FIRST | LAST))?
    ;

limitClause
    : LIMIT limit=expression (OFFSET offset=expression)?
    | OFFSET offset=expression (LIMIT limit=expression)?
    ;

relation
    : left=relation CROSS JOIN right=relationPrimary                                     # crossJoin
    | left=relation joinType JOIN right=relationPrimary (ON on=expression | USING LPAREN identifierList RPAREN) # join
    | left=relation NATURAL joinType JOIN right=relationPrimary                          # naturalJoin
    | relationPrimary                                                                    # primaryRelation
    ;

joinType
    : INNER?
    | LEFT OUTER?
    | RIGHT OUTER?
    | FULL OUTER?
    | SEMI_JOIN
    | ANTI
    ;

relationPrimary
    : name=identifier (DOT part=identifier)? versionClause? sampleClause? tableAlias?     # datasetRelation
    | path=STRING sampleClause? tableAlias?                                              # fileRelation
    | function=identifier LPAREN (expression (COMMA expression)*)? (COMMA namedArgument)* RPAREN sampleClause? tableAlias? # tableFunction
    | LPAREN query RPAREN sampleClause? tableAlias?                                      # subqueryRelation
    | LPAREN relation RPAREN sampleClause?                                               # parenthesizedRelation
    ;

namedArgument
    : identifier (EQ | ASSIGN) expression
    ;

versionClause
    : VERSION INTEGER_VALUE                                                              # versionNumber
    | AS OF TIMESTAMP STRING                                                             # versionAsOf
    | BRANCH identifier                                                                  # versionBranch
    | TAG identifier                                                                     # versionTag
    ;

sampleClause
    : TABLESAMPLE method=(BERNOULLI | SYSTEM) LPAREN expression PERCENT? RPAREN (REPEATABLE LPAREN seed=INTEGER_VALUE RPAREN)?  # tableSample
    | SAMPLE count=expression ROWS (PER per=expression)? (WEIGHTED BY weight=expression (WITH REPLACEMENT)?)?
        (SEED seed=INTEGER_VALUE)?                                                       # sampleRows
    | SAMPLE percent=expression PERCENT (STRATIFY BY stratum=expression)? (SEED seed=INTEGER_VALUE)? # samplePercent
    ;

tableAlias
    : AS? identifier (LPAREN identifierList RPAREN)?
    ;

windowDefinition
    : identifier AS LPAREN windowSpecification RPAREN
    ;

windowSpecification
    : base=identifier? (PARTITION BY expression (COMMA expression)*)? orderBy? windowFrame?
    ;

windowFrame
    : unit=(ROWS | RANGE) start=frameBound
    | unit=(ROWS | RANGE) BETWEEN start=frameBound AND end=frameBound
    ;

frameBound
    : UNBOUNDED boundType=PRECEDING
    | UNBOUNDED boundType=FOLLOWING
    | CURRENT ROW
    | expression boundType=(PRECEDING | FOLLOWING)
    ;

// Boolean operators bind loosest; a predicate (comparison, IS, BETWEEN, IN, LIKE) applies to a value
// expression, so `a BETWEEN 1 AND 2 OR b` and `x LIKE 'r%' OR y` group as SQL users expect.
expression
    : param=identifier ARROW body=expression                                             # lambda
    | valueExpression predicate?                                                         # predicated
    | NOT operand=expression                                                             # not
    | left=expression AND right=expression                                               # and
    | left=expression OR right=expression                                                # or
    ;

predicate
    : comparisonOperator right=valueExpression                                           # comparison
    | IS NOT? NULL                                                                       # isNull
    | IS NOT? DISTINCT FROM right=valueExpression                                        # isDistinctFrom
    | IS NOT? truth=(TRUE | FALSE)                                                       # isTruth
    | NOT? BETWEEN lower=valueExpression AND upper=valueExpression                       # between
    | NOT? IN LPAREN query RPAREN                                                        # inSubquery
    | NOT? IN LPAREN expression (COMMA expression)* RPAREN                               # inList
    | NOT? IN LPAREN RPAREN                                                              # emptyInList
    | NOT? op=(LIKE | ILIKE) pattern=valueExpression (ESCAPE escape=valueExpression)?    # like
    ;

valueExpression
    : primaryExpression                                                                  # primary
    | value=valueExpression LBRACKET index=sliceOrIndex (COMMA sliceOrIndex)* RBRACKET   # subscript
    | value=valueExpression DOUBLE_COLON dataType                                        # postfixCast
    | value=valueExpression DOT field=identifier                                         # fieldAccess
    | op=(MINUS | PLUS) operand=valueExpression                                          # unary
    | left=valueExpression op=(STAR | SLASH | PERCENT_SIGN | INTEGER_DIVIDE) right=valueExpression # arithmetic
    | left=valueExpression op=(PLUS | MINUS) right=valueExpression                       # arithmetic
    | left=valueExpression op=CONCAT right=valueExpression                               # arithmetic
    ;

sliceOrIndex
    : expression                                                                         # index
    | from=expression? COLON to=expression? (COLON step=expression?)?                    # slice
    | from=expression? DOUBLE_COLON step=expression?                                     # steppedSlice
    ;

comparisonOperator
    : EQ | NEQ | LT | LTE | GT | GTE
    ;

primaryExpression
    : NULL                                                                               # nullLiteral
    | (TRUE | FALSE)                                                                     # booleanLiteral
    | INTEGER_VALUE                                                                      # integerLiteral
    | (DECIMAL_VALUE | DOUBLE_VALUE)                                                     # decimalLiteral
    | STRING                                                                             # stringLiteral
    | BLOB_STRING                                                                        # blobLiteral
    | INTERVAL value=(STRING | INTEGER_VALUE) intervalUnit=identifier?                   # intervalLiteral
    | dataType STRING                                                                    # typedLiteral
    | parameter                                                                          # parameterReference
    | CASE operand=expression? whenClause+ (ELSE elseValue=expression)? END              # simpleOrSearchedCase
    | castKind=(CAST | TRY_CAST) LPAREN expression AS dataType RPAREN                    # cast
    | EXTRACT LPAREN field=identifier FROM expression RPAREN                              # extract
    | SUBSTRING LPAREN value=expression FROM start=expression (FOR length=expression)? RPAREN # substringFrom
    | POSITION LPAREN needle=valueExpression IN haystack=valueExpression RPAREN          # positionIn
    | TRIM LPAREN side=(BOTH | LEADING | TRAILING)? characters=expression? FROM value=expression RPAREN # trimFrom
    | EXISTS LPAREN query RPAREN                                                         # exists
    | LPAREN query RPAREN                                                                # scalarSubquery
    | function=identifier LPAREN (STAR | (setQuantifier? expression (COMMA expression)*)? (ORDER BY sortItem (COMMA sortItem)*)?) RPAREN
        (FILTER LPAREN WHERE filter=expression RPAREN)? over?                            # functionCall
    | LBRACKET (expression (COMMA expression)*)? RBRACKET                                # listLiteral
    | LBRACE (structEntry (COMMA structEntry)*)? RBRACE                                  # structLiteral
    | function=identifier LPAREN callArgument (COMMA callArgument)* RPAREN               # namedArgumentCall
    | LPAREN expression (COMMA expression)+ RPAREN                                       # rowConstructor
    | LPAREN expression RPAREN                                                           # parenthesized
    | identifier                                                                         # columnReference
    ;

structEntry
    : (key=STRING | name=identifier) COLON value=expression
    ;

callArgument
    : identifier ASSIGN expression
    ;

over
    : OVER (identifier | LPAREN windowSpecification RPAREN)
    ;

whenClause
    : WHEN condition=expression THEN result=expression
    ;

parameter
    : AT identifier                                                                      # namedParameter
    | DOLLAR identifier                                                                  # namedParameter
    | COLON identifier                                                                   # namedParameter
    | QUESTION                                                                           # positionalParameter
    ;

dataType
    : base=identifier (LPAREN INTEGER_VALUE (COMMA INTEGER_VALUE)* RPAREN)? (LBRACKET INTEGER_VALUE? RBRACKET)*
    | base=identifier LT dataType (COMMA dataType)* GT (LPAREN INTEGER_VALUE (COMMA INTEGER_VALUE)* RPAREN)?
    ;

identifierList
    : identifier (COMMA identifier)*
    ;

identifier
    : IDENTIFIER
    | QUOTED_IDENTIFIER
    | nonReserved
    ;

// Keywords that may also name columns, datasets and functions.
nonReserved
    : ADD | ALL | ANALYZE | ASC | BERNOULLI | BRANCH | COLUMN | COPY | CURRENT | DATASET | DATASETS | DESC
    | DESCRIBE | EXCLUDE | EXPLAIN | FILTER | FIRST | FOLLOWING | INTERVAL | LAST | NULLS | OF | OFFSET | OVER
    | PARTITION | PERCENT | PRECEDING | RANGE | RECURSIVE | REPEATABLE | ROW | ROWS | SHOW | SYSTEM | TAG
    | TIMESTAMP | UNBOUNDED | VERSION | VERSIONS | WINDOW | QUALIFY | REPLACE | EXTRACT | TRY_CAST | ESCAPE | TO | IMPORT
    | SAMPLE | PER | STRATIFY | WEIGHTED | SEED | REPLACEMENT | SPLIT | SPLITS | REFRESH | SHUFFLE | VIEW | VIEWS | FOLLOW | LATEST | LINEAGE | EXPORTS | SETTINGS | SESSION | RESET | PREDICTIONS | RUN | KEY | MERGE | MATCHED | COLUMNS
    | TABLE | PRIMARY | UNIQUE | SUBSTRING | POSITION | TRIM | BOTH | LEADING | TRAILING | FOR
    | ROLLUP | CUBE | GROUPING | SETS | CHECK | BEGIN | START | COMMIT | ROLLBACK | ABORT | TRANSACTION | WORK
    | VACUUM | RETAIN | DAYS | DAY | COMPACT | TARGET | TIER | HOT | COLD | FRAGMENTS | LOCATION | OLDER | THAN
    ;

TIER: T I E R; LOCATION: L O C A T I O N; OLDER: O L D E R; THAN: T H A N; HOT: H O T; COLD: C O L D; FRAGMENTS: F R A G M E N T S;
ADD: A D D; ALL: A L L; ALTER: A L T E R; ANALYZE: A N A L Y Z E; AND: A N D; ANTI: A N T I; AS: A S; ASC: A S C;
BERNOULLI: B E R N O U L L I; BETWEEN: B E T W E E N; BRANCH: B R A N C H; BY: B Y; CASE: C A S E; CAST: C A S T;
CHECK: C H E C K; COLUMN: C O L U M N; COPY: C O P Y; BEGIN: B E G I N; START: S T A R T; COMMIT: C O M M I T;
ROLLBACK: R O L L B A C K; ABORT: A B O R T; TRANSACTION: T R A N S A C T I O N; WORK: W O R K;
VACUUM: V A C U U M; RETAIN: R E T A I N; DAYS: D A Y S; DAY: D A Y; COMPACT: C O M P A C T; TARGET: T A R G E T; CREATE: C R E A T E; CROSS: C R O S S; CURRENT: C U R R E N T;
DATASET: D A T A S E T; DATASETS: D A T A S E T S; DELETE: D E L E T E; DESC: D E S C; DESCRIBE: D E S C R I B E;
DISTINCT: D I S T I N C T; DROP: D R O P; ELSE: E L S E; END: E N D; ESCAPE: E S C A P E; EXCEPT: E X C E P T;
EXCLUDE: E X C L U D E; EXISTS: E X I S T S; EXPLAIN: E X P L A I N; EXTRACT: E X T R A C T; FALSE: F A L S E;
FILTER: F I L T E R; FIRST: F I R S T; FOLLOWING: F O L L O W I N G; FROM: F R O M; FULL: F U L L; GROUP: G R O U P;
HAVING: H A V I N G; IF: I F; ILIKE: I L I K E; IMPORT: I M P O R T; IN: I N; INNER: I N N E R; INSERT: I N S E R T;
INTERSECT: I N T E R S E C T; INTERVAL: I N T E R V A L; INTO: I N T O; IS: I S; JOIN: J O I N; LAST: L A S T;
LEFT: L E F T; LIKE: L I K E; LIMIT: L I M I T; NATURAL: N A T U R A L; NOT: N O T; NULL: N U L L; NULLS: N U L L S;
OF: O F; OFFSET: O F F S E T; ON: O N; OR: O R; ORDER: O R D E R; OUTER: O U T E R; OVER: O V E R;
PARTITION: P A R T I T I O N; PERCENT: P E R C E N T; PRECEDING: P R E C E D I N G; RANGE: R A N G E;
RECURSIVE: R E C U R S I V E; REPEATABLE: R E P E A T A B L E; REPLACE: R E P L A C E; REPLACEMENT: R E P L A C E M E N T; RIGHT: R I G H T; ROW: R O W;
ROWS: R O W S; SELECT: S E L E C T; SEMI_JOIN: S E M I; SET: S E T; SHOW: S H O W; SYSTEM: S Y S T E M;
TABLESAMPLE: T A B L E S A M P L E; SAMPLE: S A M P L E; SPLIT: S P L I T; SPLITS: S P L I T S; REFRESH: R E F R E S H; SHUFFLE: S H U F F L E; VIEW: V I E W; VIEWS: V I E W S; FOLLOW: F O L L O W; LATEST: L A T E S T; LINEAGE: L I N E A G E; EXPORTS: E X P O R T S; SETTINGS: S E T T I N G S; SESSION: S E S S I O N; RESET: R E S E T; PREDICTIONS: P R E D I C T I O N S; RUN: R U N; KEY: K E Y; MERGE: M E R G E; MATCHED: M A T C H E D; COLUMNS: C O L U M N S; PER: P E R; STRATIFY: S T R A T I F Y; WEIGHTED: W E I G H T E D; SEED: S E E D; TAG: T A G; THEN: T H E N; TIMESTAMP: T I M E S T A M P; TO: T O; TRUE: T R U E;
TRY_CAST: T R Y '_' C A S T; UNBOUNDED: U N B O U N D E D; UNION: U N I O N; UPDATE: U P D A T E; USING: U S I N G;
VALUES: V A L U E S; VERSION: V E R S I O N; VERSIONS: V E R S I O N S; WHEN: W H E N; WHERE: W H E R E;
WINDOW: W I N D O W; QUALIFY: Q U A L I F Y; WITH: W I T H;
TABLE: T A B L E; PRIMARY: P R I M A R Y; UNIQUE: U N I Q U E; SUBSTRING: S U B S T R I N G; POSITION: P O S I T I O N;
TRIM: T R I M; BOTH: B O T H; LEADING: L E A D I N G; TRAILING: T R A I L I N G; FOR: F O R;
ROLLUP: R O L L U P; CUBE: C U B E; GROUPING: G R O U P I N G; SETS: S E T S;

EQ: '=' | '=='; NEQ: '<>' | '!='; LT: '<'; LTE: '<='; GT: '>'; GTE: '>='; ARROW: '->';
PLUS: '+'; MINUS: '-'; STAR: '*'; INTEGER_DIVIDE: '//'; SLASH: '/'; PERCENT_SIGN: '%'; CONCAT: '||';
LPAREN: '('; RPAREN: ')'; LBRACKET: '['; RBRACKET: ']'; LBRACE: '{'; RBRACE: '}'; COMMA: ','; DOT: '.'; SEMICOLON: ';';
DOUBLE_COLON: '::'; ASSIGN: ':='; COLON: ':'; AT: '@'; DOLLAR: '$'; QUESTION: '?';

// A quoted string, or a dollar-quoted one as in PostgreSQL and DuckDB: $$…$$ or $tag$…$tag$, its text verbatim; it
// ends only at its own tag (DollarClosed, in Language/Parsing/DollarQuoting.cs).
STRING: '\'' ( ~'\'' | '\'\'' )* '\'' | '$' DOLLAR_TAG? '$' .*? '$' DOLLAR_TAG? '$' {this.DollarClosed()}?;
BLOB_STRING: [xX] '\'' [0-9a-fA-F ]* '\'';
INTEGER_VALUE: DIGIT+;
DECIMAL_VALUE: DIGIT+ '.' DIGIT* | '.' DIGIT+;
DOUBLE_VALUE: (DIGIT+ ('.' DIGIT*)? | '.' DIGIT+) [eE] [+-]? DIGIT+;
IDENTIFIER: (LETTER | '_') (LETTER | DIGIT | '_')*;
QUOTED_IDENTIFIER: '"' ( ~'"' | '""' )* '"';

LINE_COMMENT: '--' ~[\r\n]* -> channel(HIDDEN);
BLOCK_COMMENT: '/*' .*? '*/' -> channel(HIDDEN);
WS: [ \t\r\n]+ -> channel(HIDDEN);
UNRECOGNIZED: .;

fragment DIGIT: [0-9];
fragment DOLLAR_TAG: (LETTER | '_') (LETTER | DIGIT | '_')*;
fragment LETTER: [a-zA-Z\u0080-\uFFFF];
fragment A: [aA]; fragment B: [bB]; fragment C: [cC]; fragment D: [dD]; fragment E: [eE]; fragment F: [fF];
fragment G: [gG]; fragment H: [hH]; fragment I: [iI]; fragment J: [jJ]; fragment K: [kK]; fragment L: [lL];
fragment M: [mM]; fragment N: [nN]; fragment O: [oO]; fragment P: [pP]; fragment Q: [qQ]; fragment R: [rR];
fragment S: [sS]; fragment T: [tT]; fragment U: [uU]; fragment V: [vV]; fragment W: [wW]; fragment X: [xX];
fragment Y: [yY]; fragment Z: [zZ];
