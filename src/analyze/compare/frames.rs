//! Frames: which aspect of the story each sentence stresses, in the 15 frames of the Policy
//! Frames Codebook (Boydstun, Card, Gross, Resnik and Smith 2014).
//!
//! Offline, parallax assigns each sentence to the frame whose description it is most
//! similar to in the embedding space. This is an approximation: the codebook is applied by
//! trained human coders, and similarity to a short description is a much weaker judge than
//! they are. Shares over many sentences are informative; one sentence's frame is not.

/// Name and description of each frame. The descriptions paraphrase the codebook and are
/// written as news-like sentences, which suits a sentence-similarity model.
pub const FRAMES: &[(&str, &str)] = &[
    ("Economic", "The costs, benefits, money, trade, sanctions, prices, budgets, markets and economic consequences of the issue."),
    ("Capacity and resources", "The availability or lack of resources: weapons stocks, troops, energy supplies, infrastructure, funding and capacity to act."),
    ("Morality", "Moral and religious duty, right and wrong, ethics, honour, betrayal and what is just or shameful."),
    ("Fairness and equality", "Whether the outcome is fair or unjust, equal treatment, rewarding the aggressor or punishing the victim."),
    ("Legality and jurisdiction", "International law, treaties, sovereignty, courts, constitutional limits, legal rights, recognition of territory and jurisdiction."),
    ("Policy prescription", "Proposed plans, peace proposals, points of a deal, policies, their terms and whether they will work."),
    ("Crime and punishment", "War crimes, violations, investigations, accountability, sanctions as punishment, prisoners and enforcement."),
    ("Security and defense", "Military operations, attacks, missiles, drones, troops, front lines, security guarantees, defense and threats to the nation."),
    ("Health and safety", "Casualties, people killed and injured, rescue workers, hospitals, civilians in danger and humanitarian harm."),
    ("Quality of life", "Effects on daily life: homes destroyed, displacement, power outages, families, refugees and living conditions."),
    ("Cultural identity", "National identity, history, language, traditions, culture and what a people is."),
    ("Public opinion", "Polls, public attitudes, protests, citizens' views and the mood of society about the issue."),
    ("Political", "Political leaders, negotiations, summits, diplomacy, elections, parties, power struggles and political strategy."),
    ("External regulation and reputation", "Relations with other countries and allies, international reaction, alliances such as NATO and the EU, and a country's standing abroad."),
    ("Other", "Any aspect that fits none of the other frames."),
];

/// Below this cosine to every description, a sentence counts as "Other".
pub const MIN_SIMILARITY: f32 = 0.12;
